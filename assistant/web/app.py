"""The gradio web chat: layout and event wiring only; behaviour lives in chat.py, examples.py, render.py and training.py."""
# No `from __future__ import annotations` here: gradio inspects the handlers' gr.EventData / gr.Request
# annotations at runtime, and gr is imported inside build_app, so string annotations would not resolve.
import os
from typing import Any

from . import chat, render, training
from .examples import example_questions
from .feedback import FeedbackStore
from .style import CSS, theme

# Clicks inside the HTML panels are delegated to one listener and sent to Python as event data,
# so the rendered HTML itself never carries scripts or inline handlers.
CLICK_JS = """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-action]');
  if (!b || !element.contains(b)) return;
  ev.preventDefault();
  if (b.dataset.action === 'copy') {  // copying needs no server: the answer's text travels with the button
    const text = b.dataset.copy || '';
    const done = () => { b.textContent = '已复制'; setTimeout(() => { b.textContent = '复制'; }, 1500); };
    const fallback = () => {
      const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
      try { document.execCommand('copy'); done(); } catch (e) { b.textContent = '复制失败'; } t.remove();
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
    return;
  }
  trigger('click', {action: b.dataset.action || '', turn: Number(b.dataset.turn ?? -1),
                    n: Number(b.dataset.n ?? 0), rating: b.dataset.rating || '', source: b.dataset.source || ''});
});
"""

# Scroll the highlighted quote into the middle of the viewer without moving the page.
VIEWER_JS = """
const toHit = () => {  // the shown body (not the hidden original) scrolled so that its marked quote is in view
  const box = element.querySelector('.pa-doc:not([hidden])');
  const hit = box && box.querySelector('mark.pa-hit');
  if (box) box.scrollTop = hit ? Math.max(0, hit.offsetTop - box.clientHeight / 3) : 0;
};
element.addEventListener('click', (ev) => {
  const orig = ev.target.closest('[data-orig]');
  if (orig) {  // 查看原文: the source's own script, and back
    const src = element.querySelector('.pa-src');
    const showing = src.classList.toggle('pa-show-orig');
    element.querySelectorAll('.pa-orig').forEach((x) => { x.hidden = !showing; });
    element.querySelectorAll('.pa-shown').forEach((x) => { x.hidden = showing; });
    orig.textContent = showing ? '查看转换后文本' : '查看原文';
    toHit();
    return;
  }
  const back = ev.target.closest('[data-back]');
  if (back) {  // on a phone the viewer sits below the chat: return to the answer whose citation was opened
    const turn = document.querySelector(`#pa-chat .pa-turn[data-turn="${back.dataset.back}"]`);
    if (turn) turn.scrollIntoView({behavior: 'smooth', block: 'start'});
  }
});
watch('value', () => {
  setTimeout(() => {  // after the new HTML is laid out
    toHit();
    if (window.innerWidth >= 900) return;
    // Narrow screens show the viewer below the chat, the document at full length: go to the quote itself.
    const hit = element.querySelector('.pa-doc:not([hidden]) mark.pa-hit');
    (hit || element).scrollIntoView({behavior: 'smooth', block: hit ? 'center' : 'start'});
  }, 0);
});
"""


def _event_data(evt: Any) -> dict[str, Any]:
    data = getattr(evt, "_data", None)
    return data if isinstance(data, dict) else {}


def _int(value: Any, default: int = -1) -> int:
    # Event data comes from the browser: treat anything odd as "no such turn" rather than failing.
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _session_id(request: Any) -> str:
    return str(getattr(request, "session_hash", "") or "")


def build_app(assistant, settings, store: FeedbackStore | None = None):
    """The gr.Blocks of the web chat over one Assistant."""
    import gradio as gr

    store = store or FeedbackStore.from_settings(settings)
    documents = assistant.documents()
    doc_labels, doc_sources = render.document_options(documents)  # pickers show titles, never file names
    kinds = sorted({d["kind"] for d in documents if d.get("kind")})
    examples = example_questions(assistant, settings)

    with gr.Blocks(title="政策问答助手", analytics_enabled=False) as demo:
        state = gr.State(chat.new_state())

        gr.HTML(
            '<div class="pa-header"><div class="pa-logo">政</div><div><div class="pa-h1">政策问答助手</div>'
            '<div class="pa-h2">依据已收录的政策文件作答 · 每条回答均附原文出处 · 找不到依据时如实说明</div></div>'
            f'<div class="pa-stat">已收录文件 <b>{len(documents)}</b> 份</div></div>'
        )
        with gr.Tabs(elem_id="pa-tabs"):
            with gr.Tab("问答", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=270, elem_id="pa-side"):
                        if examples:
                            gr.HTML('<div class="pa-side-head">示例问题</div>')
                        example_buttons = [gr.Button(q, size="sm", elem_classes=["pa-example"]) for q in examples]
                        gr.HTML('<div class="pa-side-head">检索范围</div>')
                        source_filter = gr.Dropdown(doc_labels, multiselect=True, label="限定文档（不选则全部）",
                                                    elem_id="pa-source-filter")
                        script_choice = gr.Radio([("跟随提问", "auto"), ("简体", "simplified"), ("繁体", "traditional")],
                                                 value=settings.display_script, label="显示用字（引文、章节、原文）",
                                                 elem_id="pa-script")
                        kind_filter = gr.CheckboxGroup(kinds, label="限定类型（不选则全部）", elem_id="pa-kind-filter")
                        gr.HTML('<div class="pa-side-head">文档库</div>')
                        doc_list = gr.HTML(render.render_documents(documents), js_on_load=CLICK_JS, elem_id="pa-doc-list")
                    with gr.Column(scale=3, min_width=420):
                        conversation = gr.HTML(
                            render.render_conversation([]), js_on_load=CLICK_JS, autoscroll=True,
                            max_height="66vh", elem_id="pa-chat",
                        )
                        with gr.Row(elem_id="pa-input-row", equal_height=True):
                            question = gr.Textbox(
                                placeholder=f"请输入问题，例如：{examples[0]}（回车发送）" if examples else "请输入问题（回车发送）",
                                show_label=False, lines=1, max_lines=4, scale=8, elem_id="pa-question",
                                max_length=settings.max_query_chars, container=False,
                            )
                            send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="pa-send")
                            new_chat = gr.Button("新对话", variant="secondary", scale=1, min_width=80, elem_id="pa-new")
                        with gr.Group(visible=False, elem_id="pa-feedback") as feedback_box:
                            feedback_status = gr.HTML("")
                            with gr.Row(equal_height=True):
                                feedback_text = gr.Textbox(placeholder="补充说明（可选）：哪里有用、哪里不对？",
                                                           show_label=False, scale=8, max_length=2000, container=False)
                                feedback_send = gr.Button("提交说明", scale=1, min_width=110)
                    with gr.Column(scale=2, min_width=360):
                        viewer = gr.HTML(render.SOURCE_PLACEHOLDER, js_on_load=VIEWER_JS, elem_id="pa-viewer")
            with gr.Tab("培训", id="training"):
                training.build_tab(assistant, doc_labels, doc_sources, settings.display_script)

        # ---- events ----------------------------------------------------------------------------
        def respond(text, st, sources, kind_list, script):
            text = (text or "").strip()
            if not text:
                gr.Warning("请输入问题后再发送。", title="提示", duration=4)
                yield gr.skip(), st, gr.skip()
                return
            filters = chat.make_filters([doc_sources.get(s, s) for s in sources or []], kind_list)
            for st in chat.ask_turn(assistant, st, text, filters, script=script):
                yield render.render_conversation(st["turns"]), st, ""

        def on_chat_click(st, evt: gr.EventData, request: gr.Request):
            data = _event_data(evt)
            action, turn = data.get("action"), _int(data.get("turn"))
            if action == "cite":
                return chat.citation_view(assistant, st, turn, _int(data.get("n"), 0)), gr.skip(), st, gr.skip(), gr.skip()
            if action == "related":
                return chat.related_view(assistant, st, turn, _int(data.get("n"), 0)), gr.skip(), st, gr.skip(), gr.skip()
            if action == "rate":
                status = chat.rate(store, st, turn, str(data.get("rating")), _session_id(request))
                return (gr.skip(), render.render_conversation(st["turns"]), st, gr.update(visible=True),
                        f'<div class="pa-fb-status">{render.esc(status)}</div>')
            return gr.skip(), gr.skip(), st, gr.skip(), gr.skip()

        def on_doc_click(script, evt: gr.EventData):
            source = str(_event_data(evt).get("source", ""))
            shown = "traditional" if script == "traditional" else "simplified"
            return chat.document_view(assistant, source, shown) if source else gr.skip()

        def on_comment(text, st):
            status = chat.comment(store, st, text)
            return f'<div class="pa-fb-status">{render.esc(status)}</div>', ""

        def on_new_chat():
            return (render.render_conversation([]), chat.new_state(), render.SOURCE_PLACEHOLDER,
                    gr.update(visible=False), "")

        ask_inputs = [question, state, source_filter, kind_filter, script_choice]
        ask_outputs = [conversation, state, question]
        question.submit(respond, ask_inputs, ask_outputs)
        send.click(respond, ask_inputs, ask_outputs)
        for button, text in zip(example_buttons, examples):
            button.click(lambda t=text: t, None, question, queue=False).then(respond, ask_inputs, ask_outputs)
        conversation.click(on_chat_click, [state], [viewer, conversation, state, feedback_box, feedback_status])
        doc_list.click(on_doc_click, [script_choice], viewer)
        feedback_send.click(on_comment, [feedback_text, state], [feedback_status, feedback_text])
        feedback_text.submit(on_comment, [feedback_text, state], [feedback_status, feedback_text])
        new_chat.click(on_new_chat, None, [conversation, state, viewer, feedback_box, feedback_status])

    demo.queue(default_concurrency_limit=8)
    return demo


def launch(assistant, settings, host: str, port: int, block: bool = True):
    """Serve the web chat; login is required when web_user and web_password are both set."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = build_app(assistant, settings)
    auth = (settings.web_user, settings.web_password) if settings.web_user and settings.web_password else None
    app_kwargs = {}
    if auth:  # gradio's auth hook sees no client, so the backoff wraps its /login route from outside
        from starlette.middleware import Middleware

        from .guard import LoginBackoff

        app_kwargs["middleware"] = [Middleware(LoginBackoff)]
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="请输入账号和密码登录政策问答助手。" if auth else None,
        show_error=False,
        ssr_mode=False,
        footer_links=[],
        quiet=True,
        prevent_thread_lock=not block,
        theme=theme(),
        css=CSS,
        max_file_size="1mb",
        app_kwargs=app_kwargs,
    )
    return demo
