"use strict";
// The emulator's chat page: pick a member, chat with the bot, watch group chats, flip faults.

const ui = {
  userid: null, group: null, channel: null, directory: { departments: [], users: [], robots: [], appchats: [], botgroups: [] },
  directoryKey: "", chatKey: "", groupKey: "", polling: false, ticks: 0,
  selections: new Map(),
};
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
  return data;
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

function setStatus(id, text, isError = false) {
  $(id).textContent = text || "";
  $(id).classList.toggle("error", isError);
}

function timeText(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString("zh-CN", { hour12: false });
}

// ---------- staff ----------

async function loadDirectory() {
  const data = await api("/_emulator/directory");
  const key = JSON.stringify(data);
  if (key === ui.directoryKey) return;
  ui.directoryKey = key;
  ui.directory = data;
  renderStaff();
  renderGroups();
}

function renderStaff() {
  const query = $("staff-search").value.trim().toLowerCase();
  const names = new Map(ui.directory.departments.map((d) => [d.id, d.name]));
  const groups = new Map(ui.directory.departments.map((d) => [d.id, []]));
  for (const user of ui.directory.users) {
    const haystack = [user.name, user.userid, user.position].join(" ").toLowerCase();
    if (query && !haystack.includes(query)) continue;
    const first = (user.department || [])[0] ?? 0;
    if (!groups.has(first)) groups.set(first, []);
    groups.get(first).push(user);
  }
  const list = $("staff-list");
  list.replaceChildren();
  for (const [id, users] of groups) {
    if (!users.length) continue;
    list.append(el("div", { class: "dept", text: names.get(id) || "部门 " + id }));
    for (const user of users) list.append(staffItem(user));
  }
  if (!list.children.length) {
    const text = ui.directory.users.length ? "没有匹配的成员" : "通讯录为空：请先推送通讯录";
    list.append(el("p", { class: "empty", text }));
  }
}

function staffItem(user) {
  const detail = [user.position, user.userid].filter(Boolean).join(" · ");
  return el("button", {
    type: "button", class: "staff-item" + (user.userid === ui.userid ? " active" : ""),
    "data-userid": user.userid, onclick: () => pickStaff(user),
  }, [
    el("span", { class: "avatar", text: (user.name || "?").slice(-2) }),
    el("span", { class: "who" }, [el("b", { text: user.name }), el("small", { text: detail })]),
  ]);
}

function pickStaff(user) {
  ui.userid = user.userid;
  ui.chatKey = "";
  $("chat-title").textContent = `${user.name}（${user.userid}）与应用的对话`;
  for (const id of ["chat-input", "send-button", "enter-agent", "approval-submit"]) $(id).disabled = false;
  renderStaff();
  showPanel("chat-panel");
  showGroupComposer();
  $("chat-input").focus();
  refreshChat();
}

// ---------- chat ----------

async function refreshChat() {
  if (!ui.userid) return;
  const userid = ui.userid;
  const data = await api("/_emulator/messages?userid=" + encodeURIComponent(userid));
  const key = userid + ":" + data.revision;
  if (key === ui.chatKey || userid !== ui.userid) return;
  ui.chatKey = key;
  const log = $("chat-log");
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.replaceChildren(...data.messages.map(chatMessage));
  if (nearBottom || !log.dataset.seen) log.scrollTop = log.scrollHeight;
  log.dataset.seen = "1";
}

function chatMessage(m) {
  if (m.msgtype === "event") return el("div", { class: "note", text: eventText(m) });
  if (m.msgtype === "update_button") {
    return el("div", { class: "note", text: `应用将卡片按钮更新为“${m.replace_name}”` });
  }
  const who = m.direction === "user" ? "user" : "bot";
  return el("div", { class: `msg ${who}` + (m.dropped ? " dropped" : ""), "data-id": m.id }, [
    el("div", { class: "meta", text: timeText(m.time) + channelNote(m) }),
    el("div", { class: "bubble" }, messageBody(m, who === "bot" && !m.dropped)),
  ]);
}

function channelNote(m) {
  if (m.dropped) return m.dropped_reason === "hour" ? " · 超过每小时上限，企业微信已丢弃" : " · 超过每分钟上限，企业微信已丢弃";
  if (m.truncated) return " · 超长已截断";
  return m.channel === "passive" ? " · 被动回复" : "";
}

function eventText(m) {
  if (m.event === "enter_agent") return "成员进入了应用";
  if (m.event === "sys_approval_change") return `企业微信审批：${m.content || ""}`;
  if (m.event === "template_card_event") return `成员点击了卡片按钮（${m.event_key || ""}）`;
  return `成员触发事件 ${m.event}${m.event_key ? "（" + m.event_key + "）" : ""}`;
}

function messageBody(m, interactive) {
  switch (m.msgtype) {
    case "text": return el("div", { class: "text", text: m.content });
    case "markdown": case "markdown_v2":
      return el("div", { class: "markdown", html: renderMarkdown(m.markdown || "") });
    case "stream":  // the intelligent bot's reply: markdown, refreshed until finished
      return el("div", { class: "markdown", html: renderMarkdown(m.content || "") });
    case "image": return imageBody(m.media);
    case "file": case "voice": case "video": return fileBody(m.media);
    case "textcard": return textcardBody(m.textcard || {});
    case "news": case "mpnews": return newsBody(m.articles || []);
    case "template_card": case "update_template_card": return cardBody(m, interactive);
    default: return el("pre", { text: JSON.stringify(m.raw || m, null, 2) });
  }
}

function imageBody(media) {
  if (!media || media.missing) return el("div", { class: "note", text: "［图片已失效］" });
  return el("a", { href: media.url, target: "_blank" }, el("img", { src: media.url, alt: media.filename }));
}

function fileBody(media) {
  if (!media || media.missing) return el("div", { class: "note", text: "［文件已失效］" });
  const size = media.size > 1048576 ? (media.size / 1048576).toFixed(1) + " MB" : Math.ceil(media.size / 1024) + " KB";
  return el("a", { class: "file-link", href: media.url, download: media.filename }, `📎 ${media.filename}（${size}）`);
}

function textcardBody(card) {
  return el("div", { class: "textcard" }, [
    el("div", { class: "card-title", text: card.title }),
    el("div", { class: "card-desc", text: stripTags(card.description || "") }),
    el("a", { href: card.url, target: "_blank", class: "card-button" }, card.btntxt || "详情"),
  ]);
}

function newsBody(articles) {
  return el("div", { class: "news" }, articles.map((a) => el("div", {}, [
    a.picurl ? el("img", { src: a.picurl, alt: "" }) : null,
    el("a", { href: a.url || a.content_source_url || "#", target: "_blank", text: a.title }),
    a.description || a.digest ? el("small", { text: a.description || a.digest }) : null,
  ])));
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function stripTags(text) {
  return text.replace(/<[^>]*>/g, "");
}

function renderMarkdown(source) {
  // Escape everything first, then turn WeCom's markdown subset into a few safe tags.
  return escapeHtml(source)
    .replace(/&lt;font color=&quot;(info|comment|warning)&quot;&gt;([\s\S]*?)&lt;\/font&gt;/g, '<span class="font-$1">$2</span>')
    .replace(/^#{1,6} (.*)$/gm, '<strong class="h">$1</strong>')
    .replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>')
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(/\n/g, "<br>");
}

// ---------- template cards ----------

function cardBody(m, interactive) {
  const c = m.card || {};
  const parts = [
    c.source && el("div", { class: "card-source", text: c.source.desc || "" }),
    c.main_title && el("div", { class: "card-title", text: c.main_title.title || "" }),
    c.main_title && c.main_title.desc && el("div", { class: "card-desc", text: c.main_title.desc }),
    c.emphasis_content && el("div", { class: "card-emphasis" }, [
      el("b", { text: c.emphasis_content.title || "" }), el("small", { text: c.emphasis_content.desc || "" })]),
    c.quote_area && el("div", { class: "card-desc", text: c.quote_area.quote_text || c.quote_area.title || "" }),
    c.sub_title_text && el("div", { class: "card-sub", text: c.sub_title_text }),
    ...(c.horizontal_content_list || []).map((row) => el("div", { class: "card-row" }, [
      el("span", { text: row.keyname || "" }), el("span", { text: row.value || "" })])),
    ...(c.jump_list || []).map((j) => el("a", { href: j.url || "#", target: "_blank", text: j.title })),
  ];
  return el("div", { class: "tcard" }, [...parts, ...cardControls(m, c, interactive)]);
}

function cardControls(m, c, interactive) {
  if (m.replace_name) return [el("div", { class: "card-done", text: m.replace_name })];
  const picks = selectionsFor(m, c);
  const controls = [];
  if (c.button_selection) controls.push(selectControl(picks, c.button_selection, interactive));
  for (const s of c.select_list || []) controls.push(selectControl(picks, s, interactive));
  if (c.checkbox) controls.push(checkboxControl(picks, c.checkbox, interactive));
  const buttons = (c.button_list || []).concat(c.submit_button ? [{ style: 1, ...c.submit_button }] : []);
  if (buttons.length) {
    controls.push(el("div", { class: "card-buttons" }, buttons.map((b) => cardButton(m, c, b, interactive))));
  }
  return controls;
}

function selectionsFor(m, c) {
  if (!ui.selections.has(m.id)) {
    const picks = {};
    if (c.checkbox) picks[c.checkbox.question_key] = (c.checkbox.option_list || []).filter((o) => o.is_checked).map((o) => o.id);
    for (const s of [c.button_selection, ...(c.select_list || [])].filter(Boolean)) {
      picks[s.question_key] = [s.selected_id || ((s.option_list || [])[0] || {}).id].filter(Boolean);
    }
    ui.selections.set(m.id, picks);
  }
  return ui.selections.get(m.id);
}

function selectControl(picks, s, interactive) {
  const select = el("select", { disabled: !interactive, onchange: (e) => { picks[s.question_key] = [e.target.value]; } },
    (s.option_list || []).map((o) => el("option", { value: o.id, selected: (picks[s.question_key] || []).includes(o.id) }, o.text)));
  return el("label", { class: "card-select" }, [s.title || "", select]);
}

function checkboxControl(picks, box, interactive) {
  const multiple = box.mode === 1;
  const chosen = new Set(picks[box.question_key] || []);
  const name = "q-" + Math.random().toString(36).slice(2);
  return el("div", { class: "card-options" }, (box.option_list || []).map((o) => el("label", {}, [
    el("input", {
      type: multiple ? "checkbox" : "radio", name, value: o.id, checked: chosen.has(o.id), disabled: !interactive,
      onchange: (e) => {
        if (!multiple) chosen.clear();
        if (e.target.checked) chosen.add(o.id); else chosen.delete(o.id);
        picks[box.question_key] = [...chosen];
      },
    }), " " + o.text,
  ])));
}

function cardButton(m, c, b, interactive) {
  if (b.type === 1 && b.url) return el("a", { class: "card-button", href: b.url, target: "_blank", text: b.text });
  return el("button", {
    type: "button", class: `card-button style-${b.style || 1}`, "data-key": b.key, disabled: !interactive,
    onclick: () => deliver("/_emulator/event", {
      userid: ui.userid, event: "template_card_event", event_key: b.key, task_id: c.task_id,
      card_type: c.card_type, message_id: m.id, selected: ui.selections.get(m.id) || {},
    }),
  }, b.text);
}

// ---------- sending ----------

async function deliver(path, body) {
  setStatus("chat-status", "正在把回调投递给应用…");
  try {
    const result = await api(path, { method: "POST", body });
    const problems = result.errors || [];
    setStatus("chat-status", problems.length
      ? `回调送达 ${result.delivered} 次（共尝试 ${result.attempts} 次）：${problems.join("；")}` : "",
    problems.length > 0 && result.delivered === 0);
  } catch (error) {
    setStatus("chat-status", "发送失败：" + error.message, true);
  }
  refreshChat();
}

function sendText() {
  const input = $("chat-input");
  const text = input.value;
  if (!ui.userid || !text.trim()) return;
  input.value = "";
  deliver("/_emulator/say", { userid: ui.userid, text });
}

function sendInGroup() {
  const input = $("group-input");
  const text = input.value.trim();
  if (!ui.userid || !ui.group || !text) return;
  input.value = "";
  api("/_emulator/say", { method: "POST", body: { userid: ui.userid, text, chatid: groupId(ui.group) } })
    .then((result) => setStatus("fault-status", (result.errors || []).join("；")))
    .catch((error) => setStatus("fault-status", "发送失败：" + error.message, true))
    .finally(() => { ui.groupKey = ""; refreshGroup(); });
}

// ---------- channel (callback or long connection) ----------

async function loadChannel() {
  let bot = null;
  try { bot = await api("/_emulator/bot"); } catch (error) { bot = null; }
  const select = $("channel");
  select.hidden = !bot;
  ui.channel = bot ? bot.channel : null;
  if (bot && select !== document.activeElement) select.value = bot.channel;
  showGroupComposer();
}

async function changeChannel() {
  try {
    const bot = await api("/_emulator/bot", { method: "PUT", body: { channel: $("channel").value } });
    ui.channel = bot.channel;
    setStatus("chat-status", bot.channel === "longconn"
      ? (bot.connected ? "成员消息改经智能机器人长连接投递" : "已切换到长连接，但机器人尚未连接（运行 lvzhi bot）")
      : "成员消息改经自建应用回调投递");
  } catch (error) {
    setStatus("chat-status", "无法切换：" + error.message, true);
  }
  showGroupComposer();
}

function showGroupComposer() {
  $("group-form").hidden = !(ui.channel === "longconn" && ui.group && ui.userid);
}

// ---------- group chats ----------

function groupId(target) {
  return target.slice(target.indexOf(":") + 1);
}

function renderGroups() {
  const entries = [
    ...ui.directory.appchats.map((c) => ["chat:" + c.chatid, c.name || c.chatid, `应用群聊 · ${c.userlist.length}人`]),
    ...(ui.directory.botgroups || []).map((g) => ["bot:" + g.chatid, g.name || g.chatid, `智能机器人所在群 · ${g.userlist.length}人`]),
    ...ui.directory.robots.filter((r) => !botGroupOf(r.key)).map((r) => ["robot:" + r.key, r.name, "群机器人"]),
  ];
  $("group-list").replaceChildren(...entries.map(([target, name, detail]) => el("button", {
    type: "button", class: "group-item" + (target === ui.group ? " active" : ""), "data-target": target,
    onclick: () => { ui.group = target; ui.groupKey = ""; $("group-title").textContent = name; renderGroups(); showGroupComposer(); refreshGroup(); },
  }, [el("span", { class: "avatar", text: "群" }), el("span", { class: "who" }, [el("b", { text: name }), el("small", { text: detail })])])));
  if (!entries.length) $("group-list").append(el("p", { class: "empty", text: "还没有群聊或群机器人" }));
}

async function refreshGroup() {
  if (!ui.group) return;
  const target = ui.group;
  const [kind, id] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  const query = (kind === "robot" ? "robot=" : "chatid=") + encodeURIComponent(id);
  const data = await api("/_emulator/messages?" + query);
  // A robot's group also shows what members and the intelligent bot say there; a bot group
  // also shows what its message-push robot posted (the images and files).
  const also = kind === "robot" ? "chatid=" + encodeURIComponent(id)
    : kind === "bot" && botGroup(id).webhook ? "robot=" + encodeURIComponent(botGroup(id).webhook) : "";
  if (also) {
    const heard = await api("/_emulator/messages?" + also);
    data.messages = [...data.messages, ...heard.messages].sort((a, b) => a.id - b.id);
  }
  const key = target + ":" + data.revision;
  if (key === ui.groupKey || target !== ui.group) return;
  ui.groupKey = key;
  const log = $("group-log");
  log.replaceChildren(...data.messages.map((m) => el("div", { class: "group-post", "data-id": m.id }, [
    el("div", { class: "meta", text: timeText(m.time) + postSource(m) }),
    messageBody(m, false),
  ])));
  if (!data.messages.length) log.append(el("p", { class: "empty", text: "暂无消息" }));
  log.scrollTop = log.scrollHeight;
}

function botGroup(chatid) {
  return (ui.directory.botgroups || []).find((g) => g.chatid === chatid) || {};
}

function botGroupOf(key) {
  return (ui.directory.botgroups || []).some((g) => g.webhook === key);
}

function postSource(m) {
  if (m.direction === "user") {
    const user = ui.directory.users.find((u) => u.userid === m.sender);
    return " · " + (user ? user.name : m.sender) + " @履职助手";
  }
  if (m.channel === "bot") return " · 智能机器人";
  return m.channel === "webhook" ? " · 群机器人" : " · 应用";
}

// ---------- approvals (the 审批 app) ----------

const APPROVAL_STATES = { 1: "审批中", 2: "已通过", 3: "已驳回", 4: "已撤销", 6: "通过后撤销", 7: "已删除" };
// What an approver or the member may do next, by state: [label, new status].
const APPROVAL_ACTIONS = { 1: [["通过", 2], ["驳回", 3], ["撤销", 4]], 2: [["撤销", 6], ["删除", 7]] };

async function refreshApprovals() {
  const data = await api("/_emulator/approvals");
  const list = $("approval-list");
  list.replaceChildren(...data.approvals.slice().reverse().map(approvalItem));
  if (!data.approvals.length) list.append(el("p", { class: "empty", text: "还没有审批申请" }));
}

function approvalItem(a) {
  const user = ui.directory.users.find((u) => u.userid === a.applyer.userid);
  const range = a.apply_data.contents[0].value;
  const dates = (range.vacation ? range.vacation.attendance : range.attendance).date_range;
  const day = (t) => new Date(t * 1000).toLocaleDateString("zh-CN");
  const actions = (APPROVAL_ACTIONS[a.sp_status] || []).map(([label, status]) =>
    el("button", { type: "button", onclick: () => decideApproval(a.sp_no, status) }, label));
  return el("div", { class: "approval-item", "data-sp-no": a.sp_no }, [
    el("div", { text: `${user ? user.name : a.applyer.userid} · ${a.sp_name} ${day(dates.new_begin)}–${day(dates.new_end)}` }),
    el("small", { text: `${a.sp_no} · ${APPROVAL_STATES[a.sp_status] || a.sp_status}` }),
    el("div", { class: "row" }, actions),
  ]);
}

async function submitApproval() {
  if (!ui.userid) return;
  const body = { userid: ui.userid, kind: $("approval-kind").value, start: $("approval-start").value, end: $("approval-end").value };
  try {
    const result = await api("/_emulator/approvals", { method: "POST", body });
    setStatus("approval-status", `已提交 ${result.sp_no}，已通知应用`);
  } catch (error) {
    setStatus("approval-status", "提交失败：" + error.message, true);
  }
  refreshApprovals();
}

async function decideApproval(spNo, status) {
  try {
    await api(`/_emulator/approvals/${spNo}`, { method: "POST", body: { status } });
    setStatus("approval-status", `${spNo}：${APPROVAL_STATES[status]}，已通知应用`);
  } catch (error) {
    setStatus("approval-status", "操作失败：" + error.message, true);
  }
  refreshApprovals();
}

// ---------- faults ----------

async function loadFaults() {
  const faults = await api("/_emulator/faults");
  for (const input of document.querySelectorAll("[data-fault]")) {
    if (input === document.activeElement) continue;
    const value = faults[input.dataset.fault];
    if (input.type === "checkbox") input.checked = Boolean(value); else input.value = value;
  }
}

async function changeFault(input) {
  const name = input.dataset.fault;
  const value = input.type === "checkbox" ? input.checked
    : name === "duplicate_callbacks" ? parseInt(input.value || "1", 10) : parseFloat(input.value || "0");
  try {
    await api("/_emulator/faults", { method: "PUT", body: { [name]: value } });
    setStatus("fault-status", "已更新故障开关");
  } catch (error) {
    setStatus("fault-status", "无法更新：" + error.message, true);
    loadFaults();
  }
}

async function faultAction(path, describe) {
  try {
    setStatus("fault-status", describe(await api(path, { method: "POST", body: {} })));
  } catch (error) {
    setStatus("fault-status", "操作失败：" + error.message, true);
  }
}

// ---------- wiring ----------

function showPanel(id) {
  for (const panel of document.querySelectorAll(".panel")) panel.classList.toggle("shown", panel.id === id);
  for (const tab of document.querySelectorAll(".tabs button")) tab.classList.toggle("active", tab.dataset.panel === id);
}

async function tick() {
  if (ui.polling) return;
  ui.polling = true;
  try {
    if (ui.ticks % 5 === 0) await Promise.all([loadDirectory(), loadFaults(), loadChannel(), refreshApprovals()]);
    await Promise.all([refreshChat(), refreshGroup()]);
  } catch (error) {
    setStatus("fault-status", "无法连接模拟器：" + error.message, true);
  } finally {
    ui.ticks += 1;
    ui.polling = false;
  }
}

function wire() {
  $("staff-search").addEventListener("input", renderStaff);
  $("chat-form").addEventListener("submit", (e) => { e.preventDefault(); sendText(); });
  $("chat-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
  });
  $("channel").addEventListener("change", changeChannel);
  $("approval-form").addEventListener("submit", (e) => { e.preventDefault(); submitApproval(); });
  $("group-form").addEventListener("submit", (e) => { e.preventDefault(); sendInGroup(); });
  $("group-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendInGroup(); }
  });
  $("enter-agent").addEventListener("click", () => deliver("/_emulator/event", { userid: ui.userid, event: "enter_agent" }));
  for (const input of document.querySelectorAll("[data-fault]")) input.addEventListener("change", () => changeFault(input));
  $("expire-tokens").addEventListener("click", () => faultAction("/_emulator/expire-tokens", (r) => `已使 ${r.expired} 个令牌失效`));
  $("verify-url").addEventListener("click", () => faultAction("/_emulator/verify-url",
    (r) => r.ok ? `回调URL验证通过（${r.elapsed} 秒）` : "回调URL验证失败：" + r.error));
  $("reset").addEventListener("click", () => faultAction("/_emulator/reset", () => "已清空消息、调用记录和故障开关"));
  for (const tab of document.querySelectorAll(".tabs button")) tab.addEventListener("click", () => showPanel(tab.dataset.panel));
  tick();
  setInterval(tick, 1000);
}

wire();
