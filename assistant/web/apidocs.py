"""A self-contained API reference page rendered from the OpenAPI schema (the CDN-hosted Swagger UI is unreachable offline)."""
from __future__ import annotations

import json
from typing import Any

from .render import esc

_STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", system-ui, sans-serif; margin: 0;
  background: #f4f6fa; color: #0f172a; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 6px; } .desc { color: #475569; line-height: 1.7; }
.op { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.m { display: inline-block; min-width: 52px; text-align: center; border-radius: 4px; color: #fff; font-weight: 700;
  font-size: 12px; padding: 2px 6px; margin-right: 8px; }
.GET { background: #2563eb; } .POST { background: #16a34a; }
code, pre { font-family: SFMono-Regular, Consolas, monospace; font-size: 13px; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px; overflow-x: auto; }
h3 { font-size: 13px; color: #475569; margin: 10px 0 4px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f8fafc; color: #475569; font-weight: 600; }
"""


def _resolve(schema: dict[str, Any], spec: dict[str, Any], depth: int = 0) -> Any:
    """Inline $ref'd component schemas so each operation reads on its own."""
    if depth > 6:
        return schema
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _resolve(spec["components"]["schemas"][ref.rsplit("/", 1)[1]], spec, depth + 1)
        return {k: _resolve(v, spec, depth + 1) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_resolve(v, spec, depth + 1) for v in schema]
    return schema


def _type(schema: Any) -> str:
    """A short readable type: "string", "array<string>", "object", "integer | null"."""
    if not isinstance(schema, dict):
        return ""
    if "anyOf" in schema:
        return " | ".join(dict.fromkeys(_type(s) for s in schema["anyOf"]))
    kind = schema.get("type", "object" if "properties" in schema else "任意")
    if kind == "array":
        return f"array<{_type(schema.get('items', {}))}>"
    if "enum" in schema:
        return " / ".join(map(str, schema["enum"]))
    return str(kind)


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        example = prop.get("examples", [None])[0] if isinstance(prop, dict) else None
        shown = f"<br>例：<code>{esc(json.dumps(example, ensure_ascii=False))}</code>" if example is not None else ""
        rows.append(f"<tr><td><code>{esc(name)}</code></td><td>{esc(_type(prop))}</td>"
                    f"<td>{'是' if name in required else ''}</td><td>{esc(prop.get('description', ''))}{shown}</td></tr>")
    if not rows:
        return ""
    return ("<table><tr><th>字段</th><th>类型</th><th>必填</th><th>说明</th></tr>" + "".join(rows) + "</table>")


def render_docs(spec: dict[str, Any]) -> str:
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            parts = [f'<div class="op"><span class="m {method.upper()}">{method.upper()}</span>'
                     f"<code>{esc(path)}</code> — {esc(op.get('summary', ''))}"]
            if op.get("description"):
                parts.append(f'<div class="desc">{esc(op["description"])}</div>')
            if body:
                parts.append(f"<h3>请求体（JSON）</h3>{_fields(_resolve(body, spec))}")
            parts.append("</div>")
            ops.append("".join(parts))
    info = spec.get("info", {})
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(info.get("title"))}</title>'
        f"<style>{_STYLE}</style></head><body><main><h1>{esc(info.get('title'))}</h1>"
        f'<div class="desc">{esc(info.get("description"))}</div>'
        '<div class="desc">机器可读的接口定义：<a href="/openapi.json">/openapi.json</a></div>'
        + "".join(ops) + "</main></body></html>"
    )
