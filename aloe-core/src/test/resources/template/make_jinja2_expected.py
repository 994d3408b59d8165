#!/usr/bin/env python3
"""Expected outputs for aloe4j's chat-template tests, produced by Python jinja2 in the environment Hugging Face
transformers' apply_chat_template uses (transformers/utils/chat_template_utils.py, _compile_jinja_template):

    ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])
    (AssistantTracker's {% generation %} block is reproduced here by GenerationBlock)
    filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)
    globals["raise_exception"] raises jinja2's TemplateError(message)
    globals["strftime_now"] = datetime.now().strftime(format)

Usage (from aloe-core/src/test/resources/template):
    python3 make_jinja2_expected.py ../../../../../../shared/fixtures/chat-templates > jinja2_expected.json

Written for jinja2 3.1.6 on CPython 3.11 (glibc, C locale). The Java tests only read the JSON; they never run Python.
Sections:
  chats     - extra conversations rendered with the two fixture templates (Qwen2.5-7B-Instruct, Llama-3.1-8B-Instruct);
              'expected' is the rendered string, or 'error' the message of the TemplateError the template raised
  snippets  - small templates probing the jinja2 behaviour chat templates rely on (tests, filters, str methods,
              loops, whitespace control, Python printing of values); 'error' when jinja2 raises
  strftime  - datetime(...).strftime(format) for fixed datetimes (strftime_now itself reads the clock)
  floats    - repr(float) for awkward doubles, given as float.hex() so that Java reads the exact same double
"""
import datetime
import json
import sys
from pathlib import Path

import jinja2
from jinja2.exceptions import TemplateError
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationBlock(Extension):
    """HF's AssistantTracker as far as rendering goes: {% generation %}...{% endgeneration %} outputs its body
    (HF additionally records the character span when asked for assistant masks)."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_env()

ALOE_SYSTEM = ("You are an expert medical assistant named Aloe, developed by the High Performance Artificial "
               "Intelligence Group at Barcelona Supercomputing Center(BSC). You are to be a helpful, respectful, "
               "and honest assistant.")

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_temperature",
        "description": "Get the current temperature at a location — «précis» & <safe>?",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City, \"Country\"\\region\n(2nd line)\t"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": None},
                "precision": {"type": "number", "minimum": 0.0, "maximum": 1e-7, "multipleOf": 0.5,
                              "examples": [1, 2.5, -3, 1e16, 12345678901234567890, True, False]},
            },
            "required": ["location"],
        },
    },
}
DOSE_TOOL = {
    "type": "function",
    "function": {
        "name": "dose_calculator",
        "description": "Weight-based dose (mg/kg) → total mg; 日本語 ok; emoji 💊",
        "parameters": {"type": "object", "properties": {"weight_kg": {"type": "number"},
                                                        "mg_per_kg": {"type": "number"}},
                       "required": ["weight_kg", "mg_per_kg"]},
    },
}

LLAMA_CTX = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}

CHATS = [
    # ---------------- Qwen2.5 ----------------
    dict(name="qwen:unicode-special-characters-multiturn", template="qwen2.5", add_generation_prompt=True,
         tools=None, context={},
         messages=[
             {"role": "system", "content": ALOE_SYSTEM},
             {"role": "user", "content": "Dosis de paracetamol para 70 kg? ¿Y ibuprofeno? 💊 «ok» “quotes” 'single' \\back\\slash"},
             {"role": "assistant", "content": "Typically 500–1000 mg every 4–6 h (max 4 g/day).\n\n* not medical advice *"},
             {"role": "user", "content": "Template text must stay text: {{ 7*7 }} {% if true %}X{% endif %} {# c #}\r\nCRLF\ttab\u00a0nbsp  "},
         ]),
    dict(name="qwen:empty-system-message", template="qwen2.5", add_generation_prompt=True, tools=None, context={},
         messages=[{"role": "system", "content": ""}, {"role": "user", "content": "Hi"}]),
    dict(name="qwen:no-generation-prompt-ends-with-assistant", template="qwen2.5", add_generation_prompt=False,
         tools=None, context={},
         messages=[{"role": "user", "content": "What is HbA1c?"},
                   {"role": "assistant", "content": "Glycated haemoglobin: average glucose over ~3 months."}]),
    dict(name="qwen:system-in-the-middle", template="qwen2.5", add_generation_prompt=True, tools=None, context={},
         messages=[{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi!"},
                   {"role": "system", "content": "Answer in Spanish."}, {"role": "user", "content": "Thanks"}]),
    dict(name="qwen:tools-default-system-string-arguments-multiple-calls", template="qwen2.5",
         add_generation_prompt=True, tools=[WEATHER_TOOL, DOSE_TOOL], context={},
         messages=[
             {"role": "user", "content": "Temperature in Zürich, and the dose for 70 kg at 15 mg/kg?"},
             {"role": "assistant", "content": "Let me check both.", "tool_calls": [
                 {"type": "function", "function": {"name": "get_current_temperature",
                                                   "arguments": "{\"location\": \"Zürich, CH\"}"}},
                 {"type": "function", "function": {"name": "dose_calculator",
                                                   "arguments": {"weight_kg": 70, "mg_per_kg": 15.0}}}]},
             {"role": "tool", "name": "get_current_temperature", "content": "{\"temperature\": 21.5}"},
             {"role": "tool", "name": "dose_calculator", "content": "1050 mg"},
             {"role": "assistant", "content": "It is 21.5 °C; the dose would be 1050 mg."},
             {"role": "user", "content": "Thanks"},
         ]),
    dict(name="qwen:tool-call-without-function-wrapper-and-leading-tool-message", template="qwen2.5",
         add_generation_prompt=False, tools=[DOSE_TOOL], context={},
         messages=[
             {"role": "tool", "name": "dose_calculator", "content": "orphan result"},
             {"role": "user", "content": "dose?"},
             {"role": "assistant", "content": None, "tool_calls": [
                 {"name": "dose_calculator", "arguments": {"weight_kg": 12.5, "mg_per_kg": 10}}]},
             {"role": "tool", "name": "dose_calculator", "content": "125 mg"},
         ]),
    # ---------------- Llama 3.1 ----------------
    dict(name="llama:tools-in-system-message-custom-date", template="llama3.1", add_generation_prompt=True,
         tools=[DOSE_TOOL],
         context=dict(LLAMA_CTX, tools_in_user_message=False, date_string="03 Mar 2025"),
         messages=[{"role": "system", "content": "  " + ALOE_SYSTEM + "\n"},
                   {"role": "user", "content": "Dose for 20 kg at 10 mg/kg?"}]),
    dict(name="llama:tool-call-then-string-and-dict-tool-results", template="llama3.1", add_generation_prompt=True,
         tools=[WEATHER_TOOL], context=dict(LLAMA_CTX),
         messages=[
             {"role": "user", "content": "Temperature in Paris?"},
             {"role": "assistant", "tool_calls": [{"type": "function", "function": {
                 "name": "get_current_temperature", "arguments": {"location": "Paris, France", "unit": "celsius"}}}]},
             {"role": "tool", "content": "22.0"},
             {"role": "ipython", "content": {"temperature": 22.0, "unit": "celsius", "ok": True, "note": None}},
             {"role": "tool", "content": ["a", 1, 2.5]},
             {"role": "assistant", "content": "It is 22 °C in Paris."},
         ]),
    dict(name="llama:builtin-tools-python-tag", template="llama3.1", add_generation_prompt=True, tools=None,
         context=dict(LLAMA_CTX, builtin_tools=["brave_search", "wolfram_alpha", "code_interpreter"]),
         messages=[
             {"role": "system", "content": "You are a helpful assistant."},
             {"role": "user", "content": "Latest guideline on sepsis?"},
             {"role": "assistant", "tool_calls": [{"type": "function", "function": {
                 "name": "brave_search", "arguments": {"query": "sepsis guideline 2024", "count": "5"}}}]},
             {"role": "ipython", "content": "Surviving Sepsis Campaign 2021..."},
         ]),
    dict(name="llama:custom-tools-and-string-arguments", template="llama3.1", add_generation_prompt=False,
         tools=None, context=dict(LLAMA_CTX, custom_tools=[DOSE_TOOL]),
         messages=[
             {"role": "user", "content": "\n  dose for 5 kg at 15 mg/kg?  \n"},
             {"role": "assistant", "tool_calls": [{"function": {
                 "name": "dose_calculator", "arguments": "{\"weight_kg\": 5, \"mg_per_kg\": 15}"}}]},
         ]),
    dict(name="llama:no-bos-token-unicode", template="llama3.1", add_generation_prompt=True, tools=None,
         context={},
         messages=[{"role": "user", "content": "Was ist Diabetes?\u2003🩺\u00a0"},
                   {"role": "assistant", "content": " Eine Stoffwechselerkrankung. "},
                   {"role": "user", "content": "Danke"}]),
    dict(name="llama:raise-multiple-tool-calls", template="llama3.1", add_generation_prompt=True,
         tools=[WEATHER_TOOL], context=dict(LLAMA_CTX),
         messages=[{"role": "user", "content": "Paris and Rome?"},
                   {"role": "assistant", "tool_calls": [
                       {"function": {"name": "get_current_temperature", "arguments": {"location": "Paris"}}},
                       {"function": {"name": "get_current_temperature", "arguments": {"location": "Rome"}}}]}]),
    dict(name="llama:raise-tools-without-user-message", template="llama3.1", add_generation_prompt=True,
         tools=[WEATHER_TOOL], context=dict(LLAMA_CTX),
         messages=[{"role": "system", "content": "Only a system message."}]),
]

SNIPPET_CONTEXT = {
    "s": " Hello World \n", "nb": "\u00a0x y\u2003", "l": [3, "a", None, True, 1.5],
    "d": {"b": 1, "a": [1, 2], "c": None}, "e": "", "ctl": "a\u0001\x7f\u2028", "i": 7, "fl": 2.5, "t": True, "u": "héllo <&> \"q\" 🤒",
    "msgs": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi"},
             {"role": "assistant", "content": None,
              "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
             {"role": "user", "content": "bye"}],
}

SNIPPETS = [
    # printing of values: Python str()
    "{{ true }}|{{ false }}|{{ True }}|{{ l }}|{{ d }}|{{ t }}|{{ 1.0 }}|{{ fl * 2 }}|{{ 10 / 4 }}|{{ [1.5e16, 1e-5, 0.1] }}",
    "{{ {'k': \"it's\", 'q': 'say \"hi\"', 'b': 'back\\\\slash', 'n': 'line\\nbreak', 'u': 'ü🤒'} }}",
    "{{ msgs[2] }}",
    # tests and operator precedence as in Python
    "{% if not zz is defined %}A{% endif %}|{% if not i is defined %}B{% endif %}|{% if not i is none %}C{% endif %}"
    "|{{ not 1 == 2 }}|{{ not msgs|length == 4 }}|{{ 'a' in 'abc' and not 'z' in 'abc' }}|{{ not 'a' not in 'abc' }}"
    "|{{ not false or true }}|{{ not true and false }}|{{ 1 + 2 * 3 }}",
    "{{ s is string }} {{ l is string }} {{ d is mapping }} {{ l is mapping }} {{ s is iterable }} {{ l is iterable }}"
    " {{ d is iterable }} {{ i is iterable }} {{ l is sequence }} {{ s is sequence }} {{ d is sequence }}"
    " {{ i is number }} {{ t is boolean }} {{ i is integer }} {{ fl is float }} {{ i is not none }}",
    "{{ 'a' in d }}|{{ 'zz' in d }}|{{ 'b' not in d }}|{{ 3 in l }}|{{ 'ell' in s }}|{{ 'tool_calls' in msgs[2] }}",
    "{% if d.c is none %}N{% endif %}{% if msgs[0].nope is defined %}X{% endif %}{% if msgs[2].tool_calls is defined %}T{% endif %}",
    # Python str methods
    "[{{ s.strip() }}]|[{{ s.lstrip() }}]|[{{ s.rstrip() }}]|{{ s.startswith(' H') }}|{{ s.endswith('\\n') }}"
    "|{{ s.upper() }}|{{ s.lower() }}|[{{ nb.strip() }}]|{{ s.strip('\\n H') }}|{{ 'abc'.startswith(('x', 'a')) }}",
    "{{ s.split() }}|{{ 'a,b,,c,'.split(',') }}|{{ 'a.b.c'.split('.', 1) }}|{{ ' a  b c '.split(None, 1) }}"
    "|{{ 'a-b-c'.rsplit('-', 1) }}|{{ s.replace('l', 'L') }}|{{ 'ab cd'.title() }}|{{ 'hELLO'.capitalize() }}"
    "|{{ s.count('l') }}|{{ s.find('W') }}|{{ '-'.join(['1', '2']) }}|{{ '  '.isspace() }}|{{ 'abc'.isalpha() }}",
    "{{ '<think>x</think>answer'.split('</think>')[-1].lstrip('\\n') }}|{{ 'x\\ny\\r\\nz'.splitlines() }}",
    # filters
    "[{{ s|trim }}]|[{{ nb|trim }}]|[{{ s|trim('H \\n') }}]|{{ s|length }} {{ l|length }} {{ d|length }} {{ e|length }}"
    " {{ u|length }} {{ msgs|count }}",
    "{{ l|join(', ') }}|{{ msgs|map(attribute='role')|join('/') }}|{{ msgs|join('+', attribute='role') }}"
    "|{{ l|first }}|{{ l|last }}|{{ i|string }}{{ t|string }}{{ l|string }}",
    "{{ d|tojson }}|{{ u|tojson }}|{{ l|tojson }}|{{ msgs[2]|tojson(indent=2) }}|{{ [] |tojson(indent=2) }}"
    "|{{ {} |tojson(indent=4) }}|{{ d|tojson(indent='\\t') }}",
    "{{ d|tojson(separators=(',', ':')) }}|{{ d|tojson(sort_keys=true) }}|{{ u|tojson(ensure_ascii=true) }}"
    "|{{ {'z': 1.0, 'y': 1e20, 'x': -0.5, 'w': 1e-7, 'v': 123456789.125} | tojson }}|{{ ctl|tojson }}|{{ ctl|tojson(ensure_ascii=true) }}",
    "{% for k, v in d.items() %}{{ k }}={{ v|tojson }};{% endfor %}|{% for k in d %}{{ k }},{% endfor %}"
    "|{% for k, v in d|items %}{{ k }}={{ v|tojson }};{% endfor %}|{{ d.keys()|list }}|{{ d.values()|list }}",
    "{{ msgs|selectattr('role', 'equalto', 'user')|list|length }}|{{ msgs|rejectattr('role', 'equalto', 'system')|map(attribute='role')|list }}"
    "|{{ ['a', 'code_interpreter', 'b']|reject('equalto', 'code_interpreter')|join(', ') }}|{{ l|select('string')|list }}",
    "{{ l|reverse|list }}|{{ 'abc'|reverse }}|{{ l[::-1] }}|{% for m in msgs[::-1] %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}",
    "{{ s[1:4] }}|{{ l[-1] }}|{{ l[1:] }}|{{ l[:2] }}|{{ msgs[1:]|length }}|{{ msgs[-1]['content'] }}",
    "{{ zz|default('d') }}|{{ e|default('d') }}|{{ e|default('d', true) }}|{{ 'Y' if t else 'N' }}|{{ 'Y' if zz is defined else 'N' }}",
    "{{ 'hello'|capitalize }}|{{ 'hello'|upper }}|{{ 'HeLLo'|lower }}|{{ 'a b'|title }}|{{ 'abc'|replace('b', 'X') }}",
    # loops and namespaces
    "{% for x in l %}{% if loop.index == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}|{% for x in l %}{% if loop.first %}{% continue %}{% endif %}{{ x }}{% endfor %}",
    "{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }}{{ loop.first }}{{ loop.last }};{% endfor %}",
    "{% set ns = namespace(found=false, k=0) %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.found = true %}{% set ns.k = ns.k + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.k }}",
    "{% set x = 5 %}{% for m in l %}{% set x = 6 %}{% endfor %}{{ x }}|{% set content = msgs[1]['content'] %}{{ content }}",
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }}",
    "{% for i in range(3) %}{{ i }}{% endfor %}|{{ range(1, 4)|list }}|{{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ 'a' ~ 1 }}",
    # whitespace control, trim_blocks and lstrip_blocks
    "  {% if t %}\n    indented\n  {% endif %}\nend",
    "{%- for m in msgs -%}\n  {{ m.role }}\n{%- endfor %}\n\n{# comment #}\nX {#- note -#} Y\n  {{- '|' -}}  \nZ",
    "{% if t -%}\n   a\n{%- endif %}\n {{ 'b' }} \n{% for x in [1, 2] %}\n{{ x }}\n{% endfor %}\n",
    "a\n{# c1 #}\nb\n  {# c2 #}\nc {% set q = 1 %}\nd",
    "  {% if t %} {% if t %}x{% endif %}{% endif %}\n\t{%+ if t %}y{% endif %}\n {#+ c #}z",
    "{% raw %}  {% if %}{{ not parsed }}\n  {# kept #}{% endraw %}\n  {% if t %}after{% endif %}",
    "{{ '{%' }} {{ \"}}\" }}|{{ 'x %}' }}",
    "{% generation %}assistant text{% endgeneration %}",
    "{{-1}}|{{ -1 }}|{{ 5 -1 }}|{%- if true -%} x {%- endif -%}|",
    "{% set k = 'a' %}{{ {k: 1} }}|{{ {'k': 2} }}|{{ {1: 'one'}[1] }}",
    "{{ 'x' ~ [1, none, true] }}|{{ [1, none] ~ 'y' }}|{{ 'n' ~ 1.5 ~ true }}",
    "a \\{{ 'b' }} c\\ {% if true %}\\n{% endif %}|{{ '\\\\' }}|{{ 'a\\'b' }}|{{ \"q\\\"q\" }}",
    # errors: jinja2 raises, so must we (never a silently different prompt)
    "{{ 'a' + none }}",
    "{{ 'a' + undefined_variable }}",
    "{{ 'a' + 1 }}",
    "{{ l + 'x' }}",
    "{{ 'x' | no_such_filter }}",
    "{% if i is no_such_test %}{% endif %}",
    "{{ no_such_function(1) }}",
    "{{ msgs.append(1) }}",
    "{{ raise_exception('stop here') }}",
    "{% if t %}unclosed",
]

STRFTIME_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%B %d, %Y", "%A, %B %-d, %Y", "%H:%M:%S", "%I:%M %p", "%c", "%x",
                    "%X", "%j", "%U", "%W", "%V", "%G", "%g", "%u", "%w", "%e", "%k", "%l", "%y", "%C", "%D", "%F",
                    "%T", "%R", "%r", "%P", "%f", "%z%Z", "%%", "%h", "%n%t", "%_d|%-m/%-d|%0e", "%^a %^B",
                    "%a %A %b", "no directives", "Today is %d %B %Y."]
STRFTIME_DATES = [datetime.datetime(2024, 7, 26, 9, 5, 3, 123456), datetime.datetime(2023, 1, 1, 0, 0, 0),
                  datetime.datetime(2024, 12, 31, 23, 59, 59, 999999), datetime.datetime(2021, 1, 3, 12, 30, 7),
                  datetime.datetime(2026, 2, 28, 13, 0, 0, 5)]

FLOATS = [0.1, 0.5, 1.0, 2.5, 100.0, 1 / 3, 2 / 3, 1e15, 1e16, 123456789012345678.0, 9999999999999998.0,
          1e-4, 1e-5, 0.00012345, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0, -1.5, 1e22,
          1.2345678901234567, 4.35, 0.3, 21.5, 36.6, 1e100, 123.456e-10]


def render(template_src, case):
    ctx = dict(case["context"])
    try:
        out = ENV.from_string(template_src).render(messages=case["messages"], tools=case["tools"],
                                                   add_generation_prompt=case["add_generation_prompt"], **ctx)
        return {"expected": out}
    except TemplateError as e:
        return {"error": str(e)}


def main():
    fixture_dir = Path(sys.argv[1])
    templates = {"qwen2.5": "qwen2.5-7b-instruct.jinja", "llama3.1": "llama-3.1-8b-instruct.jinja"}
    sources = {k: (fixture_dir / v).read_text(encoding="utf-8") for k, v in templates.items()}
    chats = []
    for case in CHATS:
        chats.append(dict(case, **render(sources[case["template"]], case)))
    snippets = []
    for src in SNIPPETS:
        try:
            snippets.append({"src": src, "expected": ENV.from_string(src).render(**SNIPPET_CONTEXT)})
        except Exception as e:  # recorded: the Java side must fail too
            snippets.append({"src": src, "error": type(e).__name__ + ": " + str(e)})
    strftime = []
    for d in STRFTIME_DATES:
        for f in STRFTIME_FORMATS:
            strftime.append({"datetime": d.isoformat(), "format": f, "expected": d.strftime(f)})
    floats = [{"hex": x.hex(), "repr": repr(x)} for x in FLOATS]
    out = {
        "description": "Expected outputs made by make_jinja2_expected.py with Python jinja2 " + jinja2.__version__
                       + " in Hugging Face's apply_chat_template environment (see the script's docstring).",
        "templates": templates,
        "chats": chats,
        "snippet_context": SNIPPET_CONTEXT,
        "snippets": snippets,
        "strftime": strftime,
        "floats": floats,
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
