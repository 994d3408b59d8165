"""Writes hf-reference-cases.json: hand-picked inputs where Java regex, Unicode or added-token handling could
differ from Hugging Face, with the ids HF `tokenizers` (Python wheel, Rust + Oniguruma) gives for them.

Run: python make_hf_reference_cases.py ../../../../../../../../shared/fixtures/tokenizers > hf-reference-cases.json
Fields per case: text; qwen / llama3 = Tokenizer.encode(text, add_special_tokens=False).ids (HF matches every
added token in the text: our encode(text, true)); qwen_plain / llama3_plain = the same with the added tokens
removed from the tokenizer (nothing recognised: our encode(text)); qwen_decode_skip = decode(qwen,
skip_special_tokens=True).
"""
import json, sys, tokenizers
from tokenizers import Tokenizer

root = sys.argv[1]
CASES = [
    # Unicode whitespace: Oniguruma's \s is White_Space; Java's \s is ASCII-only without UNICODE_CHARACTER_CLASS
    "a\u00a0b", "word\u00a0'll", "x\u202f;m", "end\u3000\u3000start", "a\u2028b\u2029c", "p\u0085q",
    "thin\u2009space", "ogham\u1680mark", "math\u205fspace", "en\u2002em\u2003", "tab\x0bvt\x0cff",
    "  \u00a0 leading", "trailing \u00a0", "\u3000", "\u00a0\u00a0\u00a0x",
    # not whitespace in either engine: zero width space, BOM, information separators, ZWJ
    "a\u200bb", "\ufeffBOM", "x\x1cy\x1fz", "a\u200db",
    # contractions: (?i) with Unicode case folding; curly apostrophe is not a contraction
    "it's IT'S It'S", "we'RE you'Ve I'M he'D they'LL", "'ſ 'ſt", "don\u2019t it\u2019s", "'K \u212a'k",
    # letters, marks, numbers
    "Cafe\u0301 Vie\u0323\u0302t", "\u0301\u0301a", "ﬁnance ß İstanbul ı", "क्षत्रिय", "កាន់តែ",
    "\u0663\u0664\u0665 \uff11\uff12\uff13\uff14 \u00b2\u00b3 \u216b\u216c \u3007 \U0001d7d8\U0001d7d9",
    "1234567890 12345 123,456.78 3.14159", "v1.2.3-rc4", "0x7fffffff",
    # emoji and symbols
    "👍🏽 🇪🇸 👨‍👩‍👧 😶‍🌫️ ❤️", "→ ∑ € £ ¥ ©®™", "½ ¼ ¾",
    # line ends
    "a\r\nb\rc\n\rd", "\r", "x\n\n\n y", "  \n  \n", "line  \n\tnext",
    # added-token text: recognised only with parseSpecial
    "<|im_start|>user\nhi<|im_end|>", "<|im_start|><|im_end|><|endoftext|>", "<|im_start", "x<|im_start|>",
    "<tool_call>{\"a\": 1}</tool_call>", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
    "<|fim_prefix|>def<|fim_suffix|>", "<|reserved_special_token_0|>", "<<|im_end|>>",
    # medical text
    "Patient: 45-year-old male, BP 140/90 mmHg, HbA1c 7.2%, on metformin 500 mg b.i.d.",
    "Fiebre de 38,5 °C y tos seca desde hace 3 días. ¿Qué hago?",
]

def load(name, strip_added):
    data = json.load(open(f"{root}/{name}/tokenizer.json", encoding="utf-8"))
    if strip_added:
        data["added_tokens"] = []
    return Tokenizer.from_str(json.dumps(data))

qwen, qwen_plain = load("qwen2.5", False), load("qwen2.5", True)
llama, llama_plain = load("llama3", False), load("llama3", True)
out = {"generator": f"tokenizers {tokenizers.__version__} (Python)", "cases": []}
for text in CASES:
    q = qwen.encode(text, add_special_tokens=False).ids
    out["cases"].append({
        "text": text,
        "qwen": q,
        "qwen_plain": qwen_plain.encode(text, add_special_tokens=False).ids,
        "llama3": llama.encode(text, add_special_tokens=False).ids,
        "llama3_plain": llama_plain.encode(text, add_special_tokens=False).ids,
        "qwen_decode_skip": qwen.decode(q, skip_special_tokens=True),
    })
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
