"""Look of the web chat: a gradio theme with local system fonts (the machine is offline) and the page CSS."""
from __future__ import annotations

# System CJK fonts only: a web font would make the browser reach the internet.
FONTS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
         "system-ui", "sans-serif"]
MONO = ["SFMono-Regular", "Consolas", "Noto Sans Mono CJK SC", "monospace"]


def theme():
    import gradio as gr

    return gr.themes.Soft(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        font=[gr.themes.Font(f) for f in FONTS],
        font_mono=[gr.themes.Font(f) for f in MONO],
        radius_size=gr.themes.sizes.radius_md,
    ).set(body_background_fill="#f4f6fa", block_shadow="none")


CSS = """
.gradio-container { max-width: 1680px !important; margin: 0 auto !important; }
.pa-stat { margin-left: auto; white-space: nowrap; flex: none; font-size: 13px; color: #475569; background: #fff; border: 1px solid #e2e8f0;
  border-radius: 16px; padding: 4px 14px; }
.pa-stat b { color: #1e40af; }
#pa-side { gap: 6px; }
#pa-doc-list { max-height: 46vh; overflow-y: auto; }
/* On a narrow screen the conversation comes first and the side panel drops below the viewer. */
@media (max-width: 1000px) { #pa-side { order: 3; } }
.pa-header { display: flex; align-items: center; gap: 14px; padding: 6px 2px 10px; }
.pa-logo { width: 44px; height: 44px; border-radius: 10px; background: #1e40af; color: #fff;
  display: flex; align-items: center; justify-content: center; font-size: 24px; font-weight: 700; }
.pa-h1 { font-size: 22px; font-weight: 700; color: #0f172a; letter-spacing: 1px; }
.pa-h2 { font-size: 13px; color: #64748b; margin-top: 2px; }
.pa-side-head { font-weight: 600; color: #1e3a8a; font-size: 14px; margin: 10px 0 4px;
  border-left: 3px solid #1e40af; padding-left: 8px; }
.pa-example { justify-content: flex-start !important; text-align: left !important; white-space: normal !important;
  font-weight: 400 !important; }

/* conversation */
#pa-chat { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; min-height: 52vh; }
.pa-chat { padding: 14px 16px; display: flex; flex-direction: column; gap: 14px; }
.pa-empty { color: #475569; padding: 28px 18px; line-height: 1.8; }
.pa-empty-title { font-size: 18px; font-weight: 600; color: #1e3a8a; margin-bottom: 6px; }
.pa-turn { display: flex; flex-direction: column; gap: 8px; }
.pa-q { display: flex; justify-content: flex-end; }
.pa-bubble { background: #1e40af; color: #fff; padding: 8px 14px; border-radius: 14px 14px 2px 14px;
  max-width: 80%; white-space: pre-wrap; word-break: break-word; line-height: 1.6; }
.pa-a { background: #f8fafc; border: 1px solid #e2e8f0; border-left: 4px solid #2563eb; border-radius: 8px;
  padding: 10px 14px; max-width: 92%; line-height: 1.75; color: #0f172a; }
.pa-a.pa-abstain { background: #f8fafc; border: 1px dashed #94a3b8; border-left: 4px solid #94a3b8; color: #475569; }
.pa-a.pa-premise { border-left-color: #d97706; }
.pa-a.pa-error { border-left-color: #dc2626; background: #fef2f2; color: #7f1d1d; }
.pa-a.pa-pending { color: #334155; }
.pa-text { white-space: pre-wrap; word-break: break-word; }
.pa-typing { color: #64748b; font-size: 13px; }
.pa-caret { display: inline-block; width: 7px; height: 1em; background: #2563eb; margin-left: 2px;
  vertical-align: text-bottom; animation: pa-blink 1s steps(1) infinite; }
@keyframes pa-blink { 50% { opacity: 0; } }
.pa-badge { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px; margin-right: 8px;
  background: #dbeafe; color: #1e40af; font-weight: 600; }
.pa-badge-abstain { background: #e2e8f0; color: #334155; margin-bottom: 4px; }
.pa-badge-premise { background: #fef3c7; color: #92400e; }
.pa-badge-error { background: #fee2e2; color: #991b1b; }
.pa-premise { background: #fffbeb; border: 1px solid #fde68a; border-radius: 6px; padding: 6px 10px;
  margin-bottom: 8px; color: #78350f; }
button.pa-ref { display: inline-flex; align-items: center; justify-content: center; min-width: 18px; height: 18px;
  padding: 0 4px; margin: 0 2px; border-radius: 4px; background: #dbeafe; color: #1e40af; font-size: 12px;
  font-weight: 700; vertical-align: super; cursor: pointer; border: none; }
button.pa-ref:hover { background: #1e40af; color: #fff; }
.pa-cites-head { margin-top: 10px; font-size: 13px; font-weight: 600; color: #475569; }
ol.pa-cites, ul.pa-related { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-direction: column; gap: 6px; }
ul.pa-related li { font-size: 13px; color: #475569; }
button.pa-rel { background: none; border: none; padding: 0; text-align: left; color: #1e40af; cursor: pointer;
  font-size: 13px; line-height: 1.6; text-decoration: underline dotted; }
button.pa-rel:hover { color: #1e3a8a; text-decoration: underline; }
.pa-lead { font-weight: 600; color: #0f172a; background: #eff6ff; border-radius: 6px; padding: 4px 10px; margin-bottom: 6px;
  word-break: break-word; }
button.pa-copy { margin-left: auto; }
button.pa-cite { display: flex; gap: 8px; width: 100%; text-align: left; background: #fff; border: 1px solid #e2e8f0;
  border-radius: 6px; padding: 6px 10px; cursor: pointer; font-size: 13px; line-height: 1.6; color: #1f2937; }
button.pa-cite:hover { border-color: #2563eb; background: #eff6ff; }
.pa-n { flex: none; width: 20px; height: 20px; border-radius: 50%; background: #1e40af; color: #fff; font-size: 12px;
  display: flex; align-items: center; justify-content: center; margin-top: 2px; }
.pa-cite-body { display: flex; flex-direction: column; }
.pa-title { font-weight: 600; }
.pa-sec { color: #64748b; font-size: 12px; }
.pa-quote { color: #334155; }
.pa-notice { font-size: 13px; color: #92400e; background: #fffbeb; border-radius: 6px; padding: 4px 10px; margin-top: 6px; }
.pa-fb { display: flex; align-items: center; gap: 8px; margin-top: 10px; font-size: 12px; color: #64748b; }
button.pa-fb-btn { border: 1px solid #cbd5e1; border-radius: 14px; padding: 1px 10px; background: #fff; cursor: pointer;
  font-size: 12px; color: #334155; }
button.pa-fb-btn:hover { border-color: #2563eb; }
button.pa-fb-btn.pa-on { background: #1e40af; border-color: #1e40af; color: #fff; }
.pa-fb-status { padding: 6px 10px; font-size: 13px; color: #166534; }

/* source viewer */
#pa-viewer { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; }
.pa-src { padding: 12px 16px 4px; }
.pa-src-empty { color: #64748b; padding: 30px 16px; line-height: 1.8; }
.pa-src-title { font-size: 16px; font-weight: 700; color: #0f172a; line-height: 1.5; }
.pa-src-meta { font-size: 12px; color: #475569; margin-top: 4px; }
.pa-orig-bar { display: flex; align-items: center; gap: 8px; padding: 4px 16px 6px; font-size: 12px; color: #64748b; }
button.pa-orig-btn, button.pa-back { border: 1px solid #cbd5e1; border-radius: 14px; padding: 1px 10px; background: #fff;
  cursor: pointer; font-size: 12px; color: #1e40af; white-space: nowrap; flex: none; }
button.pa-orig-btn:hover, button.pa-back:hover { border-color: #2563eb; }
/* The back link matters where the viewer sits below the chat (phones); on a wide screen both are in view. */
button.pa-back { display: none; margin-bottom: 6px; }
.pa-src-path { font-size: 13px; color: #1e3a8a; margin-top: 8px; }
.pa-doc { position: relative; max-height: 64vh; overflow-y: auto; white-space: pre-wrap; word-break: break-word;
  line-height: 1.9; padding: 8px 16px 16px; color: #1f2937; font-size: 14px; border-top: 1px solid #f1f5f9; }
.pa-doc.pa-dim { color: #94a3b8; }
.pa-section { color: #0f172a; background: #eff6ff; }
mark.pa-hit { background: #fde047; color: #0f172a; padding: 1px 0; border-radius: 2px; }

/* document list */
.pa-doc-list { display: flex; flex-direction: column; gap: 8px; }
button.pa-doc-card { text-align: left; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px 10px;
  cursor: pointer; width: 100%; }
button.pa-doc-card:hover { border-color: #2563eb; }
.pa-doc-title { font-weight: 600; font-size: 13px; color: #0f172a; line-height: 1.5; }
.pa-doc-meta { font-size: 12px; color: #1e40af; margin-top: 2px; }
.pa-doc-desc { font-size: 12px; color: #475569; margin-top: 4px; line-height: 1.5; }
.pa-doc-size { font-size: 11px; color: #94a3b8; margin-top: 4px; }

/* training */
.pa-quiz-q { margin-top: 12px; }
.pa-quiz-text { margin-top: 4px; line-height: 1.7; white-space: pre-wrap; }
.pa-quiz-score { font-size: 18px; font-weight: 700; color: #1e3a8a; margin: 10px 0; }
.pa-quiz-r { border-radius: 8px; padding: 8px 12px; margin-bottom: 8px; line-height: 1.7; }
.pa-quiz-r.pa-right { background: #f0fdf4; border: 1px solid #bbf7d0; }
.pa-quiz-r.pa-wrong { background: #fef2f2; border: 1px solid #fecaca; }
.pa-quiz-exp { color: #334155; }
.pa-quiz-cite { font-size: 13px; color: #475569; }
.pa-quiz-cite.pa-quote { display: block; color: #334155; }

/* gradio titles its toasts with their English type ("Warning", "Error") whatever title is passed: the page
   shows a Chinese one in its place (the English word stays in the DOM at size 0: not seen, though a screen reader
   may still read it). */
.toast-title { font-size: 0 !important; }
.toast-title .toast-count { font-size: 14px; }
.toast-title::before { font-size: 14px; content: "提示"; }
.toast-title.error::before { content: "出错了"; }
.toast-title.success::before { content: "完成"; }

/* phones (390 px): one column; the page scrolls, not a box inside it */
@media (max-width: 700px) {
  .gradio-container { padding: 0 6px !important; }
  .pa-header { flex-wrap: wrap; gap: 8px; }
  .pa-h2 { display: none; }
  .pa-stat { margin-left: 0; }
  #pa-chat, #pa-chat > div, #pa-chat .prose { max-height: none !important; overflow: visible !important; }
  #pa-chat { min-height: 30vh; }
  .pa-chat { padding: 10px 8px; }
  .pa-a { max-width: 100%; padding: 8px 10px; }
  .pa-bubble { max-width: 88%; }
  .pa-doc { max-height: none; }
  /* the way back from a quote far down the document stays on screen */
  button.pa-back { display: inline-block; position: fixed; left: 12px; bottom: 16px; z-index: 60; padding: 6px 14px;
    font-size: 14px; box-shadow: 0 2px 8px rgba(15, 23, 42, .25); }
  .pa-fb { flex-wrap: wrap; }
  button.pa-fb-btn { white-space: nowrap; }
  #pa-input-row { flex-wrap: wrap; }
  #pa-input-row > * { min-width: 0 !important; }
  #pa-question { flex: 1 1 100% !important; }
}
"""
