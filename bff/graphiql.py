"""GraphiQL for this product, served from vendored assets (`bff/static/graphiql/`, `scripts/vendor-graphiql`),
so it works on machines without internet.

Unlike strawberry's generic page it
- is titled for the product and opens on a page document of `operations/` (the entry-point banner);
- offers every `operations/` document as a ready example (the 「页面示例」 panel opens one in a new tab, with
  its variables filled in as placeholders);
- keeps its tabs in the browser's storage and passes no `query`/`headers` props, so a reload restores the
  tabs as they were instead of adding an `<untitled>` tab each time, and each tab keeps its headers;
- under `bff demo`, puts the demo supplier's token in the headers editor of new tabs from the page itself:
  no token in a URL, so none in an access log, and nothing in the URL as one types.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from graphql import (
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)

from bff.operations import Operation

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql-assets"
TITLE = "信融宝 GraphQL · Xinrongbao BFF"
FIRST_EXAMPLE = "EntryPointBanner"
# Placeholders for a variable without a default, by its named type.
_PLACEHOLDERS: dict[str, object] = {
    "ID": "",
    "String": "",
    "Int": 20,
    "Float": 0,
    "Boolean": False,
    "Date": "",
}


def _placeholder(type_node: TypeNode) -> object:
    if isinstance(type_node, NonNullTypeNode):
        return _placeholder(type_node.type)
    if isinstance(type_node, ListTypeNode):
        return []
    assert isinstance(type_node, NamedTypeNode)
    return _PLACEHOLDERS.get(type_node.name.value)


def example_variables(text: str) -> str:
    """A variables JSON for a document: every variable without a default, with a placeholder to fill in."""
    try:
        document = parse(text)
    except GraphQLError:
        return ""
    values: dict[str, object] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for variable in definition.variable_definitions or ():
                if variable.default_value is None:
                    required = isinstance(variable.type, NonNullTypeNode)
                    values[variable.variable.name.value] = _placeholder(variable.type) if required else None
    return json.dumps(values, ensure_ascii=False, indent=2) if values else ""


def page(operations: Iterable[Operation], demo_token: str | None) -> str:
    examples = [
        {"name": o.name, "kind": o.kind, "query": o.text, "variables": example_variables(o.text)}
        for o in operations
    ]
    first = next((e for e in examples if e["name"] == FIRST_EXAMPLE), examples[0] if examples else None)
    config = {
        "examples": examples,
        "defaultQuery": first["query"] if first else "{ viewer { name } }",
        "defaultVariables": first["variables"] if first else "",
        "defaultHeaders": json.dumps({"Authorization": f"Bearer {demo_token}"}) if demo_token else "",
    }
    # `<` escaped: the JSON sits inside a <script> element
    blob = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.replace("__TITLE__", TITLE).replace("__ASSETS__", ASSETS_PATH).replace("__CONFIG__", blob)


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>__TITLE__</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="__ASSETS__/graphiql.min.css">
<link rel="stylesheet" href="__ASSETS__/plugin-explorer.css">
<style>
  body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
  #graphiql { height: 100vh; display: flex; }
  .bff-examples { padding: 0 4px; }
  .bff-examples h3 { margin: 4px 0 8px; font-size: 1rem; }
  .bff-examples p { margin: 0 0 8px; font-size: .85rem; opacity: .8; }
  .bff-examples button { display: block; width: 100%; text-align: left; margin: 2px 0; padding: 6px 8px;
    border: 1px solid hsla(var(--color-neutral), .15); border-radius: 6px; background: none;
    color: inherit; cursor: pointer; font: inherit; }
  .bff-examples button:hover { background: hsla(var(--color-neutral), .07); }
  .bff-examples small { opacity: .6; margin-left: 6px; }
</style>
<script src="__ASSETS__/react.production.min.js"></script>
<script src="__ASSETS__/react-dom.production.min.js"></script>
</head>
<body>
<div id="graphiql" class="graphiql-container">Loading…</div>
<script src="__ASSETS__/graphiql.min.js"></script>
<script src="__ASSETS__/plugin-explorer.umd.js"></script>
<script id="bff-config" type="application/json">__CONFIG__</script>
<script>
(function () {
  const config = JSON.parse(document.getElementById("bff-config").textContent);
  const h = React.createElement;
  const url = window.location.origin + window.location.pathname;
  const fetcher = GraphiQL.createFetcher({url: url, subscriptionUrl: url.replace(/^http/, "ws")});

  // Opens an example in a new tab: addTab() resets the editors when React applies it, so the example is
  // written once the new tab is the active one.
  function Examples() {
    const editor = GraphiQL.React.useEditorContext({nonNull: true});
    const pending = React.useRef(null);
    React.useEffect(function () {
      const example = pending.current;
      if (example && editor.queryEditor && editor.activeTabIndex === example.tab) {
        pending.current = null;
        editor.queryEditor.setValue(example.query);
        if (editor.setOperationName) editor.setOperationName(example.name);
        if (editor.variableEditor) editor.variableEditor.setValue(example.variables || "");
      }
    });
    function open(example) {
      const index = editor.tabs.findIndex(function (tab) { return tab.query === example.query; });
      if (index >= 0) { editor.changeTab(index); return; }
      pending.current = {query: example.query, variables: example.variables, tab: editor.tabs.length};
      editor.addTab();
    }
    return h("div", {className: "bff-examples"},
      h("h3", null, "页面示例 · Page operations"),
      h("p", null, "One document per portal page or widget (operations/). Click to open it in a tab."),
      config.examples.map(function (example) {
        return h("button", {key: example.name, type: "button", "data-example": example.name,
                            onClick: function () { open(example); }},
                 example.name, h("small", null, example.kind));
      }));
  }

  const examplesPlugin = {
    title: "页面示例 · Examples",
    icon: function () { return h("span", {"aria-hidden": true, style: {fontWeight: 700}}, "示"); },
    content: Examples,
  };
  // GraphiQL restores its tabs, then looks for the tab matching its separately stored query/variables/
  // headers and adds a new one when none matches exactly (the "<untitled> tab per reload"): keep those three
  // in step with the active stored tab, so a reload lands on it.
  try {
    const state = JSON.parse(localStorage.getItem("graphiql:tabState") || "null");
    const active = state && state.tabs && state.tabs[state.activeTabIndex];
    if (active) {
      ["query", "variables", "headers"].forEach(function (key) {
        if (active[key] == null) localStorage.removeItem("graphiql:" + key);
        else localStorage.setItem("graphiql:" + key, active[key]);
      });
    }
  } catch (e) { /* no storage: GraphiQL starts from defaultTabs */ }
  const firstTab = {query: config.defaultQuery, variables: config.defaultVariables,
                    headers: config.defaultHeaders};

  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(GraphiQL, {
    fetcher: fetcher,
    plugins: [examplesPlugin, GraphiQLPluginExplorer.explorerPlugin()],
    visiblePlugin: examplesPlugin,
    defaultQuery: config.defaultQuery,
    defaultHeaders: config.defaultHeaders,
    defaultTabs: [firstTab],
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    inputValueDeprecation: true,
  }));
})();
</script>
</body>
</html>
"""
