/* 信融宝 reference portal: the manual's supplier screens, built only on the documents of operations/.
 *
 * Every request is an operations/ document sent by its SHA-256 (Apollo persisted queries); its text follows
 * only if the server does not know the hash. Live parts use graphql-transport-ws on /graphql. No framework:
 * each screen is a function that loads its documents and renders plain DOM.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("portal-config").textContent);
  const OPERATIONS = config.operations;
  const app = document.getElementById("app");

  // ---- labels for the few codes that have no statusLabel in the graph --------------------------------
  const ENTRY_POINTS = [
    ["FINTECH_HOME_BANNER", "数科首页 banner"],
    ["SUPPLIER_ORDER_LIST", "供应商订单列表页"],
    ["MRO_ORDER_MANAGEMENT", "MRO 后台【订单管理】"],
    ["YZW_HOME_BANNER", "云筑首页 banner"],
    ["FINTECH_PRODUCT_ENTRY", "数科产品入口"],
  ];
  const LOAN_KINDS = {ORDER: "订单贷", CREDIT: "信用贷"};
  const LOAN_FILTERS = [
    ["", "全部"], ["PROCESSING", "处理中"], ["DISBURSED", "已放款"], ["OVERDUE", "已逾期"],
    ["SETTLED", "已结清"], ["FAILED", "融资失败"],
  ];
  const INSTALLMENT_STATUSES = {PENDING: "待还款", PAID: "已还清", OVERDUE: "已逾期", SETTLED: "已结清"};
  const REPAYMENT_KINDS = {SCHEDULED: "到期自动扣款", ACTIVE: "主动还款", EARLY_SETTLEMENT: "提前结清"};
  const REPAYMENT_METHODS = {EQUAL_INSTALLMENT: "等额本息", INTEREST_FIRST: "先息后本", EQUAL_PRINCIPAL: "等额本金"};
  const FINANCING_STATUSES = {NOT_FINANCED: "未融资", APPLYING: "融资申请中", FINANCED: "已融资"};
  const REPAYABLE = new Set(["DISBURSED", "OVERDUE"]);
  const FINANCING_HINT = "在微众银行（新标签页）选择订单、填写借款金额并验证后放款；状态会实时显示在数据列表。";

  // ---- small helpers ----------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /** "1234567.8" → "¥1,234,567.80", from the decimal string (never through a float). */
  function money(value) {
    if (value === null || value === undefined) return "—";
    const text = String(value);
    const negative = text.startsWith("-");
    const [whole, fraction = ""] = text.replace("-", "").split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-¥" : "¥") + grouped + "." + (fraction + "00").slice(0, 2);
  }

  /** An ISO date-time in +08:00 as the manual's screens show it: 2026-12-01 16:06. */
  function when(value) {
    if (!value) return "—";
    return value.length > 10 ? value.slice(0, 10) + " " + value.slice(11, 16) : value;
  }

  function percent(ratio) {
    return ratio === null || ratio === undefined ? "" : Math.round(Number(ratio) * 100) + "%";
  }

  function toast(message, kind) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.className = kind || "info";
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function table(columns, rows, options) {
    const head = el("tr", null, columns.map(function (c) { return el("th", {scope: "col"}, c.title); }));
    const body = rows.map(function (row) { return tableRow(columns, row, options); });
    return el("table", {class: "grid"}, el("thead", null, head), el("tbody", null, body));
  }

  function tableRow(columns, row, options) {
    const tr = el("tr", options && options.rowAttrs ? options.rowAttrs(row) : null);
    for (const column of columns) tr.append(el("td", {"data-label": column.title}, column.cell(row)));
    return tr;
  }

  // ---- the bearer token -------------------------------------------------------------------------------
  const TOKEN_KEY = "xinrongbao-portal:token";
  function token() {
    return config.demoToken || sessionStorage.getItem(TOKEN_KEY);
  }

  // ---- GraphQL over HTTP: persisted queries -------------------------------------------------------------
  class GraphQLFailure extends Error {
    constructor(errors) {
      super(errors.map(function (e) { return e.message; }).join("; "));
      this.errors = errors;
    }
  }

  async function post(body) {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: "Bearer " + token(),
      },
      body: JSON.stringify(body),
    });
    let result;
    try {
      result = await response.json();
    } catch (e) {
      throw new GraphQLFailure([{message: "服务暂不可用（HTTP " + response.status + "），请稍后重试。"}]);
    }
    return result;
  }

  function persisted(name) {
    const operation = OPERATIONS[name];
    if (!operation) throw new Error("not a document of operations/: " + name);
    return {version: 1, sha256Hash: operation.sha256};
  }

  /** Runs an operations/ document by its hash (its text only when the server asks for it). */
  async function run(name, variables) {
    const body = {operationName: name, variables: variables || {}, extensions: {persistedQuery: persisted(name)}};
    let result = await post(body);
    if (codes(result).includes("PERSISTED_QUERY_NOT_FOUND")) {
      result = await post(Object.assign({query: OPERATIONS[name].query}, body));
    }
    if (result.errors && result.errors.length && !result.data) throw new GraphQLFailure(result.errors);
    if (result.errors && result.errors.length) console.warn(name, result.errors);
    return result.data;
  }

  function codes(result) {
    return (result.errors || []).map(function (e) { return e.extensions && e.extensions.code; });
  }

  // ---- GraphQL over the websocket (graphql-transport-ws) -----------------------------------------------
  class Live {
    constructor() {
      this.socket = null;
      this.ready = false;
      this.next = 1;
      this.active = new Map(); // id → {name, variables, onData, withText}
      this.retry = 0;
    }

    subscribe(name, variables, onData) {
      const id = String(this.next++);
      this.active.set(id, {name: name, variables: variables || {}, onData: onData, withText: false});
      if (this.ready) this.send(id);
      else this.connect();
      const live = this;
      return function unsubscribe() {
        if (live.active.delete(id) && live.ready) live.raw({id: id, type: "complete"});
      };
    }

    connect() {
      if (this.socket) return;
      const url = location.origin.replace(/^http/, "ws") + "/graphql";
      const socket = new WebSocket(url, "graphql-transport-ws");
      this.socket = socket;
      const live = this;
      socket.onopen = function () {
        socket.send(JSON.stringify({type: "connection_init", payload: {Authorization: "Bearer " + token()}}));
      };
      socket.onmessage = function (event) { live.receive(JSON.parse(event.data)); };
      socket.onclose = function () {
        live.socket = null;
        live.ready = false;
        document.body.dataset.live = "offline";
        if (!live.active.size) return;
        // Every subscription starts with the current state, so a reconnect catches up on what it missed.
        const delay = Math.min(15000, 500 * Math.pow(2, live.retry++));
        setTimeout(function () { live.connect(); }, delay);
      };
    }

    receive(message) {
      if (message.type === "connection_ack") {
        this.ready = true;
        this.retry = 0;
        document.body.dataset.live = "online";
        for (const id of this.active.keys()) this.send(id);
      } else if (message.type === "ping") {
        this.raw({type: "pong"});
      } else if (message.type === "next") {
        const subscription = this.active.get(message.id);
        if (subscription && message.payload.data) subscription.onData(message.payload.data);
      } else if (message.type === "error") {
        const subscription = this.active.get(message.id);
        const errors = message.payload || [];
        const notFound = errors.some(function (e) {
          return e.extensions && e.extensions.code === "PERSISTED_QUERY_NOT_FOUND";
        });
        if (subscription && notFound && !subscription.withText) {
          subscription.withText = true;
          this.send(message.id);
        } else {
          this.active.delete(message.id);
          console.warn("subscription refused", errors);
        }
      }
    }

    send(id) {
      const subscription = this.active.get(id);
      const payload = {
        operationName: subscription.name,
        variables: subscription.variables,
        extensions: {persistedQuery: persisted(subscription.name)},
      };
      if (subscription.withText) payload.query = OPERATIONS[subscription.name].query;
      this.raw({id: id, type: "subscribe", payload: payload});
    }

    raw(message) {
      if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    }
  }
  const live = new Live();

  // ---- WeBank's pages open in a tab of their own, so the portal stays open and live -----------------------
  /** WeBank's page behind a button that opens it in a new tab. A button the supplier presses, rather than a
   * window the script opens: a browser blocks windows opened after an awaited request, and the link to the
   * bank may only arrive later, by a push. */
  function bankLink(id, url, label, hint) {
    return el("div", {class: "handoff"}, el("p", null, hint),
      el("a", {href: url, target: "_blank", rel: "noopener", class: "button", id: id}, label));
  }

  function userErrorBox(errors) {
    return el("div", {class: "alert error", role: "alert"},
      errors.map(function (e) { return el("p", {"data-code": e.code}, e.message); }));
  }

  // ---- screens ------------------------------------------------------------------------------------------
  let screenCleanups = [];
  let screenNumber = 0;

  function onLeave(cleanup) {
    screenCleanups.push(cleanup);
  }

  /** Renders into #app only if the supplier is still on the screen that asked (a slow response from a
   * screen they left must not draw over the next one). */
  function painter() {
    const mine = screenNumber;
    let first = true;
    return function paint(...nodes) {
      if (mine !== screenNumber) return;
      // A screen's first paint replaces the last screen's nodes outright: one that merely looks the same
      // (an empty message box) belongs to the other screen's code.
      place(app, nodes.filter(function (n) { return n !== null && n !== undefined; }), !first);
      first = false;
    };
  }

  /** Runs `task` on demand, never two at once; a demand made while it runs makes it run once more after
   * (a push that arrives during a read may carry news the read missed). */
  function coalesced(task) {
    let running = null;
    let again = false;
    return function trigger() {
      if (running) { again = true; return running; }
      running = (async function () {
        do { again = false; await task(); } while (again);
      })().finally(function () { running = null; });
      return running;
    };
  }

  /** Puts `nodes` in `container`, in order, without moving a node already there: a kept form stays attached,
   * so the field being typed in keeps its focus when a push redraws the screen around it. */
  function place(container, nodes, keepEqual) {
    const children = Array.from(container.childNodes);
    const existing = keepEqual === false ? [] : children;
    const used = new Set(nodes.filter(function (node) { return existing.includes(node); }));
    // A redraw showing the same thing keeps the node already there (`isEqualNode`: same tags, attributes
    // and text), so a push that changes nothing visible moves nothing: a click in flight lands where aimed.
    const chosen = nodes.map(function (node) {
      if (used.has(node)) return node;
      const same = existing.find(function (old) { return !used.has(old) && old.isEqualNode(node); });
      if (!same) return node;
      used.add(same);
      return same;
    });
    const wanted = new Set(chosen);
    for (const child of children) if (!wanted.has(child)) child.remove();
    let cursor = container.firstChild;
    for (const node of chosen) {
      if (node === cursor) cursor = cursor.nextSibling;
      else container.insertBefore(node, cursor);
    }
  }

  function heading(title, subtitle) {
    return el("div", {class: "heading"}, el("h1", null, title), subtitle ? el("p", {class: "muted"}, subtitle) : null);
  }

  // 首页: the 信融宝 business entry (业务办理入口) as the banner shows it, and the five places it appears.
  async function homeScreen() {
    const paint = painter();
    const data = await run("EntryPointBanner");
    const viewer = data.viewer;
    const admission = viewer.admission;
    let call;
    if (admission && admission.status === "APPROVED") {
      const limit = viewer.creditLimit;
      call = el("div", {class: "banner approved", "data-state": "APPROVED"},
        el("p", null, "授信额度已生效"),
        el("p", {class: "figure"}, money(limit && limit.total)),
        el("p", {class: "muted"}, "订单贷可用 ", money(limit && limit.orderLoan.available), " · 信用贷可用 ",
          money(limit && limit.creditLoan.available)),
        el("a", {class: "button", href: "#/orders/mall", id: "cta"}, "去融资"));
    } else if (admission && admission.status === "REJECTED") {
      call = el("div", {class: "banner", "data-state": "REJECTED"}, el("p", null, "额度申请未通过"),
        el("a", {class: "button secondary", href: "#/access", id: "cta"}, "查看详情"));
    } else if (admission) {
      call = el("div", {class: "banner", "data-state": admission.status},
        el("p", null, "额度申请进行中：", admission.statusLabel),
        el("a", {class: "button", href: "#/access", id: "cta"}, "继续申请"));
    } else if (!viewer.eligibility.eligible) {
      call = el("div", {class: "banner", "data-state": "INELIGIBLE"},
        el("p", null, "暂不满足准入条件"),
        el("ul", null, viewer.eligibility.reasons.map(function (r) { return el("li", null, r.message); })),
        viewer.eligibility.eligibleFrom ? el("p", {class: "muted"}, "预计 ", viewer.eligibility.eligibleFrom, " 起可申请") : null);
    } else {
      call = el("div", {class: "banner", "data-state": "NEW"},
        el("p", null, "凭云筑网交易记录，在线申请微众银行授信，订单贷、信用贷随借随还"),
        el("a", {class: "button", href: "#/access", id: "cta"}, "立即开通"));
    }
    const entries = el("div", {class: "entries"}, ENTRY_POINTS.map(function (entry) {
      return el("a", {class: "entry", href: "#/access?entry=" + entry[0], "data-entry": entry[0]},
        el("strong", null, "信融宝业务办理入口"), el("span", null, entry[1]));
    }));
    paint(heading("信融宝", viewer.name), call,
      el("h2", null, "业务办理入口"),
      el("p", {class: "muted"}, "云筑网多处可进入产品准入；记录从哪个入口进入，用于统计分析。"), entries);
  }

  // 产品准入: agreement → 【开通】 → 经办人信息 → WeBank registration → approved / rejected, live.
  async function accessScreen(params) {
    const entry = params.get("entry");
    if (entry) sessionStorage.setItem("xinrongbao-portal:entry", entry);
    const paint = painter();
    // The forms, built once: a push that redraws the screen must not wipe what the supplier is typing.
    const forms = new Map();
    function kept(name, build) {
      if (!forms.has(name)) forms.set(name, build());
      return forms.get(name);
    }

    const refresh = coalesced(async function () {
      const data = await run("ProductAccess");
      draw(data);
    });

    function draw(data) {
      const viewer = data.viewer;
      const admission = viewer.admission;
      const parts = [heading("产品准入", viewer.name)];
      if (admission && admission.steps) parts.push(steps(admission.steps));
      if (!admission) parts.push(viewer.eligibility.eligible ? kept("agreement", agreementForm) : ineligible(viewer));
      else if (admission.status === "AGREED") parts.push(openForm(admission));
      else if (admission.status === "OPENED") parts.push(admission.handler && !admission.pushError ? handingOver() : kept("handler", function () { return handlerForm(admission); }));
      else if (admission.status === "APPROVED") parts.push(approved(admission));
      else if (admission.status === "REJECTED") parts.push(rejected(admission));
      else parts.push(progress(admission));
      paint(...parts);
    }

    function steps(list) {
      return el("ol", {class: "steps"}, list.map(function (step) {
        return el("li", {class: "step " + step.state.toLowerCase(), "data-key": step.key},
          el("span", null, step.title), step.at ? el("small", null, when(step.at)) : null);
      }));
    }

    function ineligible(viewer) {
      return el("div", {class: "card", id: "ineligible"}, el("h2", null, "暂不满足准入条件"),
        el("ul", null, viewer.eligibility.reasons.map(function (r) { return el("li", {"data-code": r.code}, r.message); })),
        viewer.eligibility.eligibleFrom ? el("p", null, "预计 ", viewer.eligibility.eligibleFrom, " 起可申请") : null);
    }

    function agreementForm() {
      const box = el("input", {type: "checkbox", id: "agree"});
      const button = el("button", {type: "submit", id: "open", disabled: true}, "开通");
      box.addEventListener("change", function () { button.disabled = !box.checked; });
      const form = el("form", {class: "card", id: "agreement"},
        el("h2", null, "同意协议并授权"),
        el("p", null, "开通后，云筑数科将贵司的基本信息及近两年在平台的交易记录推送至微众银行，作为授信依据。"),
        el("label", {class: "check"}, box, " 我已阅读并同意《云筑网用户协议》及《数据授权协议》（", config.agreementVersion, "）"),
        button);
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        button.disabled = true;
        const entryPoint = sessionStorage.getItem("xinrongbao-portal:entry") || "FINTECH_HOME_BANNER";
        const agreed = (await run("AgreeToAuthorization", {entryPoint: entryPoint, agreementVersion: config.agreementVersion})).agreeToAuthorization;
        if (agreed.userErrors.length) { form.append(userErrorBox(agreed.userErrors)); button.disabled = false; return; }
        if (!(await openFinancing(form))) button.disabled = false;
      });
      return form;
    }

    async function openFinancing(form) {
      const opened = (await run("OpenFinancing")).openFinancing;
      if (opened.userErrors.length) { form.append(userErrorBox(opened.userErrors)); return false; }
      if (opened.pushPending) toast("数据正在推送至微众银行，可先填写经办人信息。");
      await refresh();
      return true;
    }

    function openForm(admission) {
      const button = el("button", {type: "submit", id: "open"}, "开通");
      const form = el("form", {class: "card"}, el("h2", null, "推送数据至微众银行"),
        admission.pushError ? el("p", {class: "alert error"}, admission.pushError.message) : null,
        el("p", null, "已同意授权。点击【开通】，将贵司信息推送至微众银行。"), button);
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        button.disabled = true;
        if (!(await openFinancing(form))) button.disabled = false;
      });
      return form;
    }

    function handlerForm(admission) {
      const handler = admission.handler || {};
      const field = function (id, label, type, value, hint) {
        return el("label", {class: "field"}, el("span", null, label),
          el("input", {id: id, name: id, type: type, value: value || "", required: true, autocomplete: "off"}),
          hint ? el("small", {class: "muted"}, hint) : null);
      };
      const form = el("form", {class: "card", id: "handler"}, el("h2", null, "经办人信息"),
        el("p", {class: "muted"}, "提交后跳转至微众银行微业贷 · 供应商专属贷款的注册页面。"),
        field("handler-name", "经办人姓名", "text", handler.name),
        field("handler-phone", "手机号", "tel", handler.phone, "用于接收还款提醒短信"),
        field("handler-email", "电子邮箱", "email", handler.email),
        el("button", {type: "submit", id: "handler-submit"}, "提交并前往微众银行"));
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        const result = (await run("SubmitHandler", {
          name: form.querySelector("#handler-name").value.trim(),
          phone: form.querySelector("#handler-phone").value.trim(),
          email: form.querySelector("#handler-email").value.trim(),
        })).submitHandler;
        form.querySelectorAll(".alert").forEach(function (n) { n.remove(); });
        if (result.userErrors.length) { form.append(userErrorBox(result.userErrors)); return; }
        await refresh();
      });
      return form;
    }

    function handingOver() {
      return el("div", {class: "card", id: "handing-over"}, el("h2", null, "正在提交经办人信息"),
        el("p", null, "正在将经办人信息送达微众银行，微众银行受理后本页会出现前往注册的按钮。"));
    }

    function progress(admission) {
      const first = admission.status === "REGISTERING";
      return el("div", {class: "card", id: "progress", "data-status": admission.status},
        el("h2", null, "额度申请中：", admission.statusLabel),
        admission.continueUrl
          ? bankLink("continue", admission.continueUrl, first ? "前往微众银行注册" : "继续申请额度",
            "请在微众银行（新标签页）完成账户注册、企业认证和额度申请；结果会自动显示在本页。")
          : el("p", null, "微众银行正在处理，结果会自动显示在本页。"));
    }

    function approved(admission) {
      const limit = admission.creditLimit;
      const credit = el("button", {type: "button", id: "credit-financing", class: "secondary"}, "信用融资");
      const card = el("div", {class: "card success", id: "approved", "data-status": "APPROVED"},
        el("h2", null, "申请已通过"),
        el("p", {class: "figure", id: "limit-total"}, money(limit.total)),
        el("p", {class: "muted"}, "有效期至 ", limit.validUntil || "—"),
        el("div", {class: "split"},
          el("div", null, el("strong", null, "订单贷 ", percent(limit.orderLoan.ratio)),
            el("p", null, "额度 ", money(limit.orderLoan.total)), el("p", null, "可用 ", money(limit.orderLoan.available))),
          el("div", null, el("strong", null, "信用贷 ", percent(limit.creditLoan.ratio)),
            el("p", null, "额度 ", money(limit.creditLoan.total)), el("p", null, "可用 ", money(limit.creditLoan.available)))),
        el("div", {class: "actions"}, el("a", {class: "button", href: "#/orders/mall", id: "go-orders"}, "订单融资"), credit));
      credit.addEventListener("click", async function () {
        credit.disabled = true;
        const result = (await run("ApplyForCreditFinancing")).applyForCreditFinancing;
        credit.disabled = false;
        if (result.userErrors.length) card.append(userErrorBox(result.userErrors));
        else card.append(bankLink("credit-link", result.redirectUrl, "前往微众银行借款", "信用贷款在微众银行办理，放款后会显示在数据列表。"));
      });
      return card;
    }

    function rejected(admission) {
      return el("div", {class: "card warning", id: "rejected", "data-status": "REJECTED"},
        el("h2", null, "申请未通过"),
        admission.rejectionReason ? el("p", null, admission.rejectionReason) : null,
        admission.reapplyAfter ? el("p", null, "可于 ", admission.reapplyAfter, " 后重新发起申请") : null);
    }

    onLeave(live.subscribe("AdmissionChanged", {}, function () { refresh(); }));
    await refresh();
  }

  // 订单融资: the mall 【合同订单列表】 and MRO 【订单管理】 with selection and 【在线融资申请】.
  async function ordersScreen(params, source) {
    const paint = painter();
    const mall = source !== "mro";
    const listDocument = mall ? "MallOrderList" : "MroOrderManagement";
    const selected = new Map(); // order id → order
    const rows = [];
    let cursor = null;
    let more = false;
    const status = el("div", {class: "selection", id: "selection"});
    const messages = el("div", {id: "messages"});
    // a refusal shows beside the button the supplier just pressed, wherever the list is scrolled
    const refusal = el("div", {id: "refusal"});
    const apply = el("button", {type: "button", id: "apply", disabled: true}, "在线融资申请");
    const holder = el("div", {class: "rows"});
    const loadMore = el("button", {type: "button", class: "secondary", id: "more"}, "加载更多");

    async function load() {
      const data = await run(listDocument, cursor ? {after: cursor} : {});
      const orders = data.viewer.orders;
      for (const edge of orders.edges) rows.push(edge.node);
      cursor = orders.pageInfo.endCursor;
      more = orders.pageInfo.hasNextPage;
      if (orders.unavailableSources.length) messages.replaceChildren(el("p", {class: "alert warning"}, "部分订单暂时无法读取，请稍后刷新。"));
      draw();
    }

    function draw() {
      const columns = [
        {title: "选择", cell: function (o) {
          const box = el("input", {type: "checkbox", "aria-label": "选择订单 " + o.orderNo, "data-order": o.orderNo, checked: selected.has(o.id)});
          box.addEventListener("change", function () {
            if (box.checked) selected.set(o.id, o); else selected.delete(o.id);
            refusal.replaceChildren();
            summarize();
          });
          return box;
        }},
        {title: "订单号", cell: function (o) { return o.orderNo; }},
        {title: "采购方", cell: function (o) { return o.buyerName; }},
        {title: "订单金额", cell: function (o) { return money(o.amount); }},
        {title: "订单状态", cell: function (o) { return el("span", {class: "tag", "data-status": o.status}, o.statusLabel); }},
        {title: "融资状态", cell: function (o) { return FINANCING_STATUSES[o.financingStatus] || "—"; }},
        {title: "可融资金额", cell: function (o) { return o.financeable ? money(o.financeableAmount) : "—"; }},
      ];
      holder.replaceChildren(table(columns, rows, {rowAttrs: function (o) { return {"data-order": o.orderNo}; }}));
      loadMore.hidden = !more;
    }

    function summarize() {
      apply.disabled = selected.size === 0;
      let total = 0n;
      for (const order of selected.values()) total += cents(order.financeable ? order.financeableAmount : "0");
      status.replaceChildren(el("span", null, "已选 ", String(selected.size), " 笔订单",
        selected.size ? " · 可融资合计 " + money(fromCents(total)) : ""));
    }

    apply.addEventListener("click", async function () {
      const orderIds = Array.from(selected.keys());
      apply.disabled = true;
      refusal.replaceChildren();
      try {
        // The manual's check first: a wrong status is refused before anything is applied for.
        const preview = (await run("FinancingPreview", {orderIds: orderIds})).viewer.financingPreview;
        if (preview.userErrors.length) { refusal.replaceChildren(userErrorBox(preview.userErrors)); return; }
        const result = (await run("ApplyForOrderFinancing", {orderIds: orderIds})).applyForOrderFinancing;
        if (result.userErrors.length) { refusal.replaceChildren(userErrorBox(result.userErrors)); return; }
        const application = result.application;
        const panel = el("div", {class: "card", id: "applied", "data-application": application.id},
          el("h2", null, "融资申请已提交"),
          el("p", null, "本次融资上限 ", money(application.ceiling), "，请于 ", when(application.expiresAt), " 前在微众银行完成借款。"),
          el("a", {class: "button secondary", href: "#/loans", id: "to-loans"}, "查看数据列表"));
        messages.replaceChildren(panel);
        panel.scrollIntoView({block: "start"});
        if (result.redirectUrl) {
          panel.append(bankLink("financing-link", result.redirectUrl, "前往微众银行完成借款", FINANCING_HINT));
        } else if (result.handOverPending) {
          const waiting = el("p", {class: "muted"}, "订单正在推送至微众银行，完成后这里会出现前往微众银行的按钮…");
          panel.append(waiting);
          const stop = live.subscribe("FinancingApplicationChanged", {applicationId: application.id}, function (data) {
            const changed = data.financingApplicationChanged;
            if (changed.financingUrl) {
              stop();
              waiting.replaceWith(bankLink("financing-link", changed.financingUrl, "前往微众银行完成借款", FINANCING_HINT));
            }
          });
          onLeave(stop);
        }
        selected.clear();
        rows.length = 0;
        cursor = null;
        await load();
        summarize();
      } finally {
        apply.disabled = selected.size === 0;
      }
    });
    loadMore.addEventListener("click", function () { load(); });

    const tabs = orderTabs(mall ? "mall" : "mro");
    paint(heading("订单融资", mall ? "【合同订单列表】勾选待发货、处理中的订单" : "【订单管理】勾选待发货、待收货的订单"),
      tabs, messages, holder, loadMore, el("div", {class: "bar"}, refusal, status, apply));
    summarize();
    await load();
  }

  function orderTabs(current) {
    const tab = function (key, label) {
      return el("a", {href: "#/orders/" + key, role: "tab", "aria-selected": String(current === key), class: current === key ? "on" : ""}, label);
    };
    return el("div", {class: "tabs", role: "tablist"},
      tab("mall", "集采合同订单"), tab("mro", "MRO 订单管理"), tab("mro-financing", "MRO 融资查询"));
  }

  // MRO 后台【订单管理】-【融资查询】: the MRO orders that back loans, with each loan's 融资状态.
  async function mroFinancingScreen() {
    const paint = painter();
    const found = [];
    let cursor = null;
    let more = true;
    // the orders come a page at a time; the screen lists those financed, so it reads until it has them all
    // (a supplier's MRO orders are tens to a few hundred)
    while (more) {
      const orders = (await run("MroFinancingQuery", cursor ? {first: 100, after: cursor} : {first: 100})).viewer.orders;
      for (const edge of orders.edges) {
        for (const loan of edge.node.loans) found.push({order: edge.node, loan: loan});
      }
      cursor = orders.pageInfo.endCursor;
      more = orders.pageInfo.hasNextPage;
    }
    paint(heading("订单融资", "【订单管理】-【融资查询】"), orderTabs("mro-financing"),
      found.length ? table([
        {title: "订单号", cell: function (r) { return r.order.orderNo; }},
        {title: "订单金额", cell: function (r) { return money(r.order.amount); }},
        {title: "已融资金额", cell: function (r) { return money(r.order.financedAmount); }},
        {title: "借据号", cell: function (r) { return el("a", {href: "#/loans/" + encodeURIComponent(r.loan.id)}, r.loan.loanNo); }},
        {title: "融资金额", cell: function (r) { return money(r.loan.amount); }},
        {title: "申请时间", cell: function (r) { return when(r.loan.appliedAt); }},
        {title: "融资状态", cell: function (r) { return el("span", {class: "tag status", "data-status": r.loan.status}, r.loan.statusLabel); }},
      ], found, {rowAttrs: function (r) { return {"data-order": r.order.orderNo, "data-loan": r.loan.loanNo}; }})
        : el("p", {class: "empty", id: "no-mro-financing"}, "暂无 MRO 订单融资记录。"));
  }

  function cents(decimal) {
    const [whole, fraction = ""] = String(decimal).split(".");
    return BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2));
  }

  function fromCents(value) {
    const text = value.toString().padStart(3, "0");
    return text.slice(0, -2) + "." + text.slice(-2);
  }

  // 【信融宝】-【数据列表】: the loans, live over loanStatusChanged.
  async function loansScreen(params) {
    const paint = painter();
    const filter = params.get("status") || "";
    const rows = new Map(); // loanNo → row element
    const latest = new Map(); // loanNo → the last pushed state of the loan

    function row(loan) {
      return {
        "data-loan": loan.loanNo,
        "data-status": loan.status,
      };
    }

    const columns = [
      {title: "借据号", cell: function (l) { return l.loanNo; }},
      {title: "类型", cell: function (l) { return LOAN_KINDS[l.kind] || l.kind; }},
      {title: "融资金额", cell: function (l) { return money(l.amount); }},
      {title: "待还本金", cell: function (l) { return el("span", {class: "outstanding"}, money(l.outstandingPrincipal)); }},
      {title: "申请时间", cell: function (l) { return when(l.appliedAt); }},
      {title: "放款时间", cell: function (l) { return el("span", {class: "disbursed-at"}, when(l.disbursedAt)); }},
      {title: "融资状态", cell: function (l) { return el("span", {class: "tag status", "data-status": l.status}, l.statusLabel); }},
      {title: "操作", cell: function (l) { return el("a", {href: "#/loans/" + encodeURIComponent(l.id), class: "detail"}, "查看详情"); }},
    ];
    const holder = el("div", {class: "rows"});
    const grid = table(columns, [], null);
    const empty = el("p", {class: "empty"}, "暂无融资记录。在微众银行提交融资后，会自动显示在这里。");
    const chips = el("div", {class: "chips"}, LOAN_FILTERS.map(function (f) {
      return el("a", {href: "#/loans" + (f[0] ? "?status=" + f[0] : ""), class: f[0] === filter ? "chip on" : "chip"}, f[1]);
    }));

    const load = coalesced(async function () {
      const data = await run("DataList", filter ? {statuses: [filter]} : {});
      const loans = data.viewer.loans.edges.map(function (e) { return e.node; });
      // Rows already shown are updated in place, not rebuilt: a click on one is never lost to a reload.
      const shown = loans.map(function (loan) {
        const tr = rows.get(loan.loanNo);
        if (!tr) return tableRow(columns, loan, {rowAttrs: row});
        paintRow(tr, loan);
        return tr;
      });
      rows.clear();
      for (const tr of shown) rows.set(tr.dataset.loan, tr);
      place(grid.tBodies[0], shown);
      place(holder, [loans.length ? grid : empty]);
      // Pushes are in order and the last one of a loan is its newest state: laid over the page just read,
      // they leave each row where the pushes got to, even if one arrived while the page was being read.
      for (const loan of latest.values()) if (rows.has(loan.loanNo)) paintRow(rows.get(loan.loanNo), loan);
    });

    function update(loan) {
      latest.set(loan.loanNo, loan);
      const tr = rows.get(loan.loanNo);
      if (tr) paintRow(tr, loan);
      else if (!filter || loan.status === filter) load(); // a loan the page has not shown yet: read again
    }

    function paintRow(tr, loan) {
      tr.dataset.status = loan.status;
      const tag = tr.querySelector(".status");
      if (tag.textContent !== loan.statusLabel) tr.classList.add("changed");
      tag.textContent = loan.statusLabel;
      tag.dataset.status = loan.status;
      tr.querySelector(".outstanding").textContent = money(loan.outstandingPrincipal);
      tr.querySelector(".disbursed-at").textContent = when(loan.disbursedAt);
    }

    paint(heading("数据列表", "融资记录及状态，实时更新"), chips, holder);
    await load();
    onLeave(live.subscribe("LoanStatusChanged", {}, function (data) { update(data.loanStatusChanged); }));
  }

  // 融资详情: plan, repayment records, contracts and vouchers, the payoff, and the repayment hand-off.
  async function loanScreen(params, id) {
    const paint = painter();
    let handoff = null;

    const refresh = coalesced(async function () {
      const data = await run("LoanDetails", {id: id});
      const loan = data.node;
      if (!loan) { paint(heading("融资详情"), el("p", {class: "alert error"}, "未找到该笔融资。")); return; }
      draw(loan);
    });

    function draw(loan) {
      const facts = [
        ["借据号", loan.loanNo], ["类型", LOAN_KINDS[loan.kind] || loan.kind], ["融资金额", money(loan.amount)],
        ["待还本金", money(loan.outstandingPrincipal)],
        ["年化利率", loan.annualRate ? (Number(loan.annualRate) * 100).toFixed(2) + "%" : "—"],
        ["期限", loan.termMonths ? loan.termMonths + " 个月" : "—"],
        ["还款方式", REPAYMENT_METHODS[loan.repaymentMethod] || "—"],
        ["申请时间", when(loan.appliedAt)], ["放款时间", when(loan.disbursedAt)], ["结清时间", when(loan.settledAt)],
      ];
      const summary = el("dl", {class: "facts"}, facts.map(function (f) {
        return el("div", null, el("dt", null, f[0]), el("dd", null, f[1]));
      }));
      const parts = [
        heading("融资详情", loan.loanNo),
        el("p", null, el("span", {class: "tag status", id: "loan-status", "data-status": loan.status}, loan.statusLabel)),
        loan.failureReason ? el("p", {class: "alert error"}, loan.failureReason) : null,
        summary,
      ];
      if (loan.amountDue) {
        parts.push(el("div", {class: "card due", id: "amount-due"}, el("h2", null, "当前应还"),
          el("p", {class: "figure"}, money(loan.amountDue.total)),
          el("p", {class: "muted"}, loan.amountDue.date, " · 本金 ", money(loan.amountDue.principal), " · 利息 ",
            money(loan.amountDue.interest), " · 罚息 ", money(loan.amountDue.penalty))));
      }
      if (REPAYABLE.has(loan.status)) parts.push(repayActions(loan));
      if (handoff) parts.push(handoff);
      if (loan.orders.length) {
        parts.push(el("h2", null, "关联订单"), table([
          {title: "来源", cell: function (o) { return o.source === "MALL" ? "集采" : "MRO"; }},
          {title: "订单号", cell: function (o) { return o.orderNo; }},
          {title: "订单金额", cell: function (o) { return money(o.amount); }},
          {title: "订单状态", cell: function (o) { return o.statusLabel; }},
        ], loan.orders));
      }
      if (loan.installments.length) {
        parts.push(el("h2", null, "还款计划"), table([
          {title: "期数", cell: function (i) { return "第 " + i.period + " 期"; }},
          {title: "到期日", cell: function (i) { return i.dueDate; }},
          {title: "本金", cell: function (i) { return money(i.principal); }},
          {title: "利息", cell: function (i) { return money(i.interest); }},
          {title: "罚息", cell: function (i) { return money(i.penalty); }},
          {title: "状态", cell: function (i) { return el("span", {class: "tag", "data-status": i.status}, INSTALLMENT_STATUSES[i.status] || i.status); }},
          {title: "已还金额", cell: function (i) { return i.paidAmount ? money(i.paidAmount) : "—"; }},
          {title: "还款时间", cell: function (i) { return when(i.paidAt); }},
          {title: "逾期天数", cell: function (i) { return i.overdueDays ? i.overdueDays + " 天" : "—"; }},
        ], loan.installments, {rowAttrs: function (i) { return {"data-period": i.period, "data-status": i.status}; }}));
      }
      parts.push(el("h2", null, "还款记录"), loan.repayments.length ? table([
        {title: "还款编号", cell: function (r) { return r.repaymentNo; }},
        {title: "方式", cell: function (r) { return REPAYMENT_KINDS[r.kind] || r.kind; }},
        {title: "本金", cell: function (r) { return money(r.principal); }},
        {title: "利息", cell: function (r) { return money(r.interest); }},
        {title: "罚息", cell: function (r) { return money(r.penalty); }},
        {title: "合计", cell: function (r) { return money(r.amount); }},
        {title: "还款时间", cell: function (r) { return when(r.paidAt); }},
      ], loan.repayments, {rowAttrs: function (r) { return {"data-repayment": r.repaymentNo}; }}) : el("p", {class: "empty", id: "no-repayments"}, "暂无还款记录。"));
      parts.push(el("h2", null, "合同与凭证"), loan.documents.length
        ? el("ul", {class: "documents"}, loan.documents.map(function (d) {
          return el("li", {"data-kind": d.kind},
            el("a", {href: d.downloadUrl, download: "", class: "download"}, d.title),
            el("small", {class: "muted"}, " ", when(d.issuedAt)));
        }))
        : el("p", {class: "empty"}, "暂无可下载的合同与凭证。"));
      if (loan.payoffQuote) {
        const q = loan.payoffQuote;
        parts.push(el("div", {class: "card", id: "payoff"}, el("h2", null, "提前结清试算"),
          el("p", null, q.asOf, " 结清需还 ", el("strong", null, money(q.total))),
          el("p", {class: "muted"}, "本金 ", money(q.principal), " · 利息 ", money(q.interest), " · 手续费 ", money(q.fee))));
      }
      parts.push(el("p", null, el("a", {href: "#/loans"}, "← 返回数据列表")));
      paint(...parts);
    }

    function repayActions(loan) {
      const box = el("div", {class: "actions", id: "repay-actions"});
      const start = async function (kind, button) {
        button.disabled = true;
        const result = (await run("StartRepayment", {loanId: loan.id, kind: kind})).startRepayment;
        button.disabled = false;
        if (result.userErrors.length) { box.append(userErrorBox(result.userErrors)); return; }
        handoff = bankLink("repay-link", result.redirectUrl, "前往微众银行还款", "请先将款项存入还款账户，再在微众银行（新标签页）输入交易密码和短信验证码；还款后本页会自动更新。");
        await refresh();
      };
      const due = el("button", {type: "button", id: "repay-installment"}, "到期还款");
      const early = el("button", {type: "button", id: "repay-early", class: "secondary"}, "提前结清");
      due.addEventListener("click", function () { start("INSTALLMENT", due); });
      early.addEventListener("click", function () { start("EARLY_SETTLEMENT", early); });
      box.append(due, early);
      return box;
    }

    onLeave(live.subscribe("LoanStatusChanged", {loanId: id}, function () { refresh(); }));
    await refresh();
  }

  // 消息通知
  async function noticesScreen() {
    const paint = painter();
    const data = await run("Notices", {first: 50});
    const notices = data.viewer.notices.edges.map(function (e) { return e.node; });
    showUnread(data.viewer.notices.unreadCount);
    const unread = notices.filter(function (n) { return !n.readAt; }).map(function (n) { return n.id; });
    const markAll = el("button", {type: "button", id: "mark-read", class: "secondary", disabled: unread.length === 0}, "全部标为已读");
    markAll.addEventListener("click", async function () {
      const result = (await run("MarkNoticesRead", {ids: unread})).markNoticesRead;
      if (result.userErrors.length) { toast(result.userErrors[0].message, "error"); return; }
      route(); // the list read again, and with it the badge
    });
    paint(heading("消息通知"), el("div", {class: "actions"}, markAll),
      notices.length ? el("ul", {class: "notices"}, notices.map(function (n) {
        return el("li", {class: n.readAt ? "read" : "unread", "data-kind": n.kind},
          el("strong", null, n.title), el("p", null, n.body),
          el("small", {class: "muted"}, when(n.createdAt)),
          n.loan ? el("a", {href: "#/loans/" + encodeURIComponent(n.loan.id)}, " 查看借据 ", n.loan.loanNo) : null);
      })) : el("p", {class: "empty"}, "暂无消息。"));
  }

  async function refreshUnread() {
    const data = await run("Notices", {unreadOnly: true, first: 1});
    showUnread(data.viewer.notices.unreadCount);
  }

  function showUnread(count) {
    const badge = document.getElementById("unread");
    badge.textContent = String(count);
    badge.hidden = !count;
  }

  function tokenScreen(refused) {
    const input = el("input", {id: "token", type: "password", autocomplete: "off", required: true});
    const form = el("form", {class: "card"}, el("h2", null, "登录"),
      refused ? el("p", {class: "alert error", id: "token-refused"}, "令牌无效或已过期，请重新输入。") : null,
      el("p", {class: "muted"}, "粘贴供应商的访问令牌（Bearer token）。令牌只保存在本标签页。"),
      el("label", {class: "field"}, el("span", null, "访问令牌"), input), el("button", {type: "submit"}, "进入"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim().replace(/^Bearer\s+/i, ""));
      start();
    });
    app.replaceChildren(heading("信融宝 · 参考门户"), form);
  }

  // ---- routing --------------------------------------------------------------------------------------------
  const ROUTES = [
    [/^\/?$/, "home", homeScreen],
    [/^\/access$/, "access", accessScreen],
    [/^\/orders\/(mall|mro)$/, "orders", ordersScreen],
    [/^\/orders\/mro-financing$/, "orders", mroFinancingScreen],
    [/^\/loans$/, "loans", loansScreen],
    [/^\/loans\/([^/]+)$/, "loans", loanScreen],
    [/^\/notices$/, "notices", noticesScreen],
  ];

  async function route() {
    for (const cleanup of screenCleanups) cleanup();
    screenCleanups = [];
    screenNumber += 1;
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, query] = hash.split("?");
    const params = new URLSearchParams(query || "");
    const found = ROUTES.find(function (r) { return r[0].test(path); }) || ROUTES[0];
    const match = path.match(found[0]) || [];
    document.querySelectorAll("#nav a").forEach(function (a) {
      a.classList.toggle("on", a.dataset.route === found[1]);
    });
    document.body.dataset.screen = found[1];
    try {
      await found[2](params, ...match.slice(1).map(decodeURIComponent));
    } catch (error) {
      const paint = painter();
      const unauthenticated = error.errors && error.errors.some(function (e) {
        return e.extensions && e.extensions.code === "UNAUTHENTICATED";
      });
      if (unauthenticated && !config.demoToken) { sessionStorage.removeItem(TOKEN_KEY); tokenScreen(true); return; }
      paint(el("div", {class: "alert error", role: "alert", id: "failure"}, "页面加载失败：", error.message));
    }
  }

  let started = false;
  function start() {
    if (!token()) { tokenScreen(); return; }
    route();
    refreshUnread().catch(function () {});
    if (started) return; // a token entered again after one was refused
    started = true;
    window.addEventListener("hashchange", route);
    live.subscribe("NoticeReceived", {}, function (data) {
      const notice = data.noticeReceived;
      toast(notice.title + "：" + notice.body);
      refreshUnread().catch(function () {});
    });
  }

  start();
})();
