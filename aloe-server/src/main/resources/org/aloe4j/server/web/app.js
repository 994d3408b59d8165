"use strict";
// The chat page: keeps the conversation, streams each answer from /v1/chat/completions (SSE over fetch), and lets
// the user stop it. No libraries: the page must work offline from the server alone.
(function () {
  const $ = (id) => document.getElementById(id);
  const model = document.body.dataset.model;
  const history = [];
  let controller = null;

  if (document.body.dataset.keyRequired !== "true") {
    $("key-label").style.display = "none";
  }
  $("api-key").value = sessionStorage.getItem("aloe-api-key") || "";

  function add(role, text) {
    const div = document.createElement("div");
    div.className = "msg " + role;
    div.textContent = text;
    $("messages").appendChild(div);
    div.scrollIntoView({ block: "end" });
    return div;
  }

  function busy(on) {
    $("send").disabled = on;
    $("stop").disabled = !on;
  }

  async function send(question) {
    history.push({ role: "user", content: question });
    add("user", question);
    const answer = add("assistant", "");
    answer.classList.add("streaming");
    const body = {
      model: model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "system", content: $("system").value }].concat(history),
    };
    const t = parseFloat($("temperature").value);
    if (!isNaN(t)) body.temperature = t;
    const m = parseInt($("max-tokens").value, 10);
    if (!isNaN(m)) body.max_tokens = m;
    const headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    const key = $("api-key").value.trim();
    if (key) {
      headers["Authorization"] = "Bearer " + key;
      sessionStorage.setItem("aloe-api-key", key);
    }
    controller = new AbortController();
    busy(true);
    $("status").textContent = "Generating...";
    let text = "";
    try {
      const response = await fetch("/v1/chat/completions",
        { method: "POST", headers: headers, body: JSON.stringify(body), signal: controller.signal });
      if (!response.ok) {
        const err = await response.json().catch(() => ({}));
        throw new Error((err.error && err.error.message) || ("HTTP " + response.status));
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let usage = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          for (const line of event.split("\n")) {
            if (!line.startsWith("data:")) continue; // comments keep the connection checked
            const data = line.slice(5).trim();
            if (data === "[DONE]") continue;
            const chunk = JSON.parse(data);
            if (chunk.error) throw new Error(chunk.error.message);
            if (chunk.usage) usage = chunk.usage;
            for (const c of chunk.choices || []) {
              if (c.delta && c.delta.content) {
                text += c.delta.content;
                answer.textContent = text;
              }
            }
          }
        }
      }
      $("status").textContent = usage ? usage.completion_tokens + " tokens" : "";
    } catch (e) {
      if (e.name === "AbortError") {
        $("status").textContent = "Stopped.";
      } else {
        answer.classList.add("error");
        answer.textContent = (text ? text + "\n\n" : "") + "Error: " + e.message;
        $("status").textContent = "";
      }
    } finally {
      answer.classList.remove("streaming");
      answer.dataset.done = "true";
      history.push({ role: "assistant", content: text });
      controller = null;
      busy(false);
    }
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("input").value.trim();
    if (!q || controller) return;
    $("input").value = "";
    send(q);
  });
  $("input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => controller && controller.abort());
  $("reset").addEventListener("click", () => {
    if (controller) controller.abort();
    history.length = 0;
    $("messages").textContent = "";
    $("status").textContent = "";
  });
})();
