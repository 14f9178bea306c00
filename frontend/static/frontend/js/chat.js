/* Campus Social live chat: makes the chat panels of a page (templates/frontend/messaging/
   chat_panel.html) live over the websocket /ws/v1/ (protocol v1, PROTOCOL.md).

   The page works without this script: the server renders the messages and the forms post.
   With it, one socket per page subscribes to every live panel's room with the last seq the page
   holds, appends new messages (each seq once and in order; a missing range is fetched through
   REST), applies edits and removals, sends over the socket (falling back to the form post when
   the socket fails, with the same client_id, so nothing is stored twice), marks read what is on
   screen, and reconnects by itself with exponential backoff, catching up from its last seq.

   Configuration and every text it shows come from the panel's data-* attributes, which the
   template renders translated.  No framework, no build step, no inline code (CSP). */
(() => {
  "use strict";

  if (window.campusChatLoaded) {
    return; // the panel include loads this script once per panel; it runs once per page
  }
  window.campusChatLoaded = true;

  const PING_INTERVAL = 25000;
  const SILENCE_LIMIT = 65000; // not a single frame (not even a pong) for this long: dead socket
  const BACKOFF_MIN = 1000;
  const BACKOFF_MAX = 30000;
  const SEND_TIMEOUT = 10000; // no answer to a send: post the form instead (same client_id)
  const READ_DELAY = 1000;

  const fill = (text, values) =>
    String(text).replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));

  const isSeq = (value) => Number.isInteger(value) && value >= 0;

  const isLocalPath = (url) => typeof url === "string" && url.startsWith("/") && !url.startsWith("//");

  function newClientId() {
    if (typeof crypto.randomUUID === "function") {
      return crypto.randomUUID();
    }
    // randomUUID exists only in secure contexts (HTTPS, localhost); getRandomValues everywhere.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /* --- One socket for the page ------------------------------------------------------------ */

  class Connection {
    constructor(path) {
      this.path = path;
      this.panels = new Map(); // room id → Panel
      this.socket = null;
      this.attempt = 0;
      this.reconnectTimer = null;
      this.pingTimer = null;
      this.lastFrameAt = 0;
      this.stopped = false;
    }

    url() {
      return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + this.path;
    }

    add(panel) {
      this.panels.set(panel.room, panel);
    }

    isOpen() {
      return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
    }

    connect() {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      if (this.stopped || this.socket !== null) {
        return;
      }
      let socket;
      try {
        socket = new WebSocket(this.url());
      } catch (error) {
        this.scheduleReconnect();
        return;
      }
      this.socket = socket;
      this.panels.forEach((panel) => panel.onConnecting());
      socket.addEventListener("open", () => {
        if (this.socket === socket) {
          this.lastFrameAt = Date.now();
          this.startPing();
          this.panels.forEach((panel) => panel.onOpen());
        }
      });
      socket.addEventListener("message", (event) => {
        if (this.socket === socket) {
          this.lastFrameAt = Date.now();
          this.onFrame(event.data);
        }
      });
      socket.addEventListener("close", () => {
        if (this.socket === socket) {
          this.dropped();
        }
      });
    }

    /* The socket is gone (closed, or silent too long): tell the panels and try again later. */
    dropped() {
      const socket = this.socket;
      this.socket = null;
      this.stopPing();
      if (socket !== null && socket.readyState <= WebSocket.OPEN) {
        socket.close();
      }
      this.panels.forEach((panel) => panel.onClose());
      this.scheduleReconnect();
    }

    scheduleReconnect() {
      if (this.stopped || this.reconnectTimer !== null) {
        return;
      }
      // 1 s, 2 s, 4 s … up to 30 s, each with jitter (half to all of it), so that a restarted
      // server is not hit by every open page at the same moment.
      const ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      this.attempt += 1;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, delay);
    }

    /* The network is back or the tab is shown again: no need to wait out the backoff. */
    reconnectNow() {
      if (!this.stopped && this.socket === null) {
        this.connect();
      }
    }

    healthy() {
      this.attempt = 0;
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.stopPing();
      const socket = this.socket;
      this.socket = null;
      if (socket !== null) {
        socket.close();
      }
    }

    restart() {
      this.stopped = false;
      this.attempt = 0;
      this.connect();
    }

    send(frame) {
      if (!this.isOpen()) {
        return false;
      }
      this.socket.send(JSON.stringify(frame));
      return true;
    }

    startPing() {
      this.stopPing();
      this.pingTimer = setInterval(() => {
        if (Date.now() - this.lastFrameAt > SILENCE_LIMIT) {
          this.dropped();
        } else {
          this.send({ type: "ping" });
        }
      }, PING_INTERVAL);
    }

    stopPing() {
      clearInterval(this.pingTimer);
      this.pingTimer = null;
    }

    onFrame(text) {
      let frame;
      try {
        frame = JSON.parse(text);
      } catch (error) {
        return;
      }
      if (frame === null || typeof frame !== "object" || typeof frame.type !== "string") {
        return;
      }
      if (frame.type === "pong") {
        return;
      }
      if (frame.type === "notification") {
        // Nothing to answer; one small notice on the page.
        const first = this.panels.values().next().value;
        first?.showNotification(frame);
        return;
      }
      const panel = this.panels.get(frame.room);
      if (panel) {
        panel.onFrame(frame);
      } else if (frame.type === "error") {
        this.panels.forEach((each) => each.say(frame.detail));
      }
      // "unread" for rooms without a panel on this page: nothing to show.
    }
  }

  /* --- One room's panel -------------------------------------------------------------------- */

  class Panel {
    constructor(root, connection) {
      const data = root.dataset;
      this.root = root;
      this.connection = connection;
      this.room = Number(data.room);
      this.roomUrl = data.roomUrl;
      this.messagesUrl = data.messagesUrl;
      this.selfId = Number(data.selfId);
      this.lastSeq = Number(data.lastSeq) || 0; // every seq up to here is on the page
      this.readSeq = Number(data.readSeq) || 0;
      this.log = root.querySelector("[data-chat-log]");
      this.empty = root.querySelector("[data-chat-empty]");
      this.status = root.querySelector("[data-chat-status]");
      this.notice = root.querySelector("[data-chat-notice]");
      this.connectionLine = root.querySelector("[data-chat-connection]");
      this.readForm = root.querySelector("[data-chat-read-form]");
      this.template = root.querySelector("[data-chat-template]");
      this.removedTemplate = root.querySelector("[data-chat-removed-template]");
      this.form = root.querySelector("[data-chat-form]");
      this.buffer = new Map(); // seq → a frame that came before the range in front of it
      this.gapTo = 0;
      this.filling = false;
      this.resubscribed = false;
      this.subscribed = false;
      this.stopped = false;
      this.unloading = false;
      this.pending = null; // the message on its way over the socket
      this.inView = new Set();
      this.readTimer = null;
      this.timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "medium",
        timeStyle: "short",
      });

      for (const time of this.log.querySelectorAll("time[datetime]")) {
        this.formatTime(time, time.getAttribute("datetime"));
      }
      if ("IntersectionObserver" in window) {
        this.observer = new IntersectionObserver((entries) => this.onVisibility(entries), {
          threshold: 0.6,
        });
        for (const item of this.log.children) {
          this.observer.observe(item);
        }
      }
      this.log.addEventListener("click", (event) => {
        const link = event.target.closest("a[data-reply]");
        if (link && this.form) {
          event.preventDefault();
          this.startReply(Number(link.dataset.reply));
        }
      });
      if (this.form) {
        this.body = this.form.elements.namedItem("body");
        this.clientIdField = this.form.elements.namedItem("client_id");
        this.replyField = this.form.elements.namedItem("reply_to");
        this.replyBox = this.form.querySelector("[data-chat-reply]");
        this.form.addEventListener("submit", (event) => this.onSubmit(event));
        this.form.querySelector("[data-chat-reply-cancel]")?.addEventListener("click", (event) => {
          event.preventDefault();
          this.clearReply();
          this.body.focus();
        });
      }
    }

    text(name) {
      return this.root.dataset[`text${name}`] || "";
    }

    say(message) {
      this.status.textContent = message || "";
    }

    setConnectionLine(message) {
      if (this.connectionLine) {
        this.connectionLine.textContent = message;
        this.connectionLine.hidden = !message;
      }
    }

    formatTime(time, iso) {
      const moment = new Date(iso);
      if (!Number.isNaN(moment.getTime())) {
        time.setAttribute("datetime", iso);
        time.textContent = this.timeFormat.format(moment);
      }
    }

    /* --- Connection events --- */

    onConnecting() {
      if (!this.stopped) {
        this.setConnectionLine(this.text("Connecting"));
      }
    }

    onOpen() {
      if (!this.stopped) {
        this.subscribed = false;
        this.connection.send({ type: "subscribe", room: this.room, after: this.lastSeq });
      }
    }

    onClose() {
      this.subscribed = false;
      if (this.stopped) {
        return;
      }
      this.setConnectionLine(this.text("Reconnecting"));
      if (this.pending) {
        this.postInstead();
      }
    }

    onFrame(frame) {
      if (this.stopped) {
        return;
      }
      switch (frame.type) {
        case "message":
          this.receive(frame);
          break;
        case "message_updated":
        case "message_removed":
          this.update(frame);
          break;
        case "subscribed":
          this.onSubscribed(frame);
          break;
        case "gap":
          if (isSeq(frame.to_seq)) {
            this.gapTo = Math.max(this.gapTo, frame.to_seq);
            this.fillGap();
          }
          break;
        case "unread":
          if (frame.count === 0 && this.readForm) {
            this.readForm.hidden = true;
          }
          break;
        case "unsubscribed":
          this.stop(this.text("RemovedFromRoom"));
          break;
        case "error":
          this.onError(frame);
          break;
        default:
          break; // a newer server's frame: ignore it
      }
    }

    onSubscribed(frame) {
      this.subscribed = true;
      this.connection.healthy();
      this.setConnectionLine(this.text("Live"));
      if (isSeq(frame.last_seq) && frame.last_seq > this.lastSeq) {
        // Something is still missing (a gap the server named, or a catch-up cut short).
        this.gapTo = Math.max(this.gapTo, frame.last_seq);
        this.fillGap();
      }
      this.flushRead();
    }

    onError(frame) {
      if (this.pending && frame.client_id === this.pending.clientId) {
        clearTimeout(this.pending.timer);
        this.pending = null; // nothing was stored: the text stays in the box for another try
        this.say(frame.detail);
        return;
      }
      if (!this.subscribed && (frame.code === "not_found" || frame.code === "forbidden")) {
        this.stop(frame.detail); // the subscription itself was refused
        return;
      }
      this.say(frame.detail);
    }

    stop(message) {
      this.stopped = true;
      this.subscribed = false;
      this.setConnectionLine("");
      this.say(message);
      if (this.pending) {
        clearTimeout(this.pending.timer);
        this.pending = null;
      }
    }

    /* --- Messages in seq order, each once --- */

    receive(frame) {
      if (!isSeq(frame.seq)) {
        return;
      }
      this.settlePending(frame);
      if (frame.seq <= this.lastSeq) {
        return; // already on the page
      }
      if (frame.seq > this.lastSeq + 1) {
        // A jump: keep it until the range in front of it is fetched.  An edit or removal that
        // came first is the newer state of that message: the original must not overwrite it.
        if (!(this.buffer.has(frame.seq) && frame.type === "message")) {
          this.buffer.set(frame.seq, frame);
        }
        this.fillGap();
        return;
      }
      this.append(frame);
      this.drain();
    }

    drain() {
      while (this.buffer.has(this.lastSeq + 1)) {
        const next = this.buffer.get(this.lastSeq + 1);
        this.buffer.delete(this.lastSeq + 1);
        this.append(next);
      }
      for (const seq of [...this.buffer.keys()]) {
        if (seq <= this.lastSeq) {
          this.buffer.delete(seq);
        }
      }
    }

    append(frame) {
      const item = this.build(frame);
      this.log.append(item);
      this.lastSeq = frame.seq;
      if (this.empty) {
        this.empty.hidden = true;
      }
      this.observer?.observe(item);
    }

    update(frame) {
      if (!isSeq(frame.seq)) {
        return;
      }
      if (frame.seq > this.lastSeq) {
        this.receive(frame); // not on the page yet: take it as it is now
        return;
      }
      const old = document.getElementById(`m-${this.room}-${frame.seq}`);
      if (old) {
        const item = this.build(frame);
        this.observer?.unobserve(old);
        old.replaceWith(item);
        this.observer?.observe(item);
      }
    }

    /* The markup of chat_message.html, from the panel's <template>; text only, never HTML. */
    build(frame) {
      const removed = frame.type === "message_removed" || frame.removed === true;
      const template = removed ? this.removedTemplate : this.template;
      const item = template.content.firstElementChild.cloneNode(true);
      const field = (name) => item.querySelector(`[data-field="${name}"]`);
      const { room } = this;
      const { seq } = frame;
      item.id = `m-${room}-${seq}`;
      item.dataset.seq = String(seq);
      field("seq").textContent = `#${seq}`;
      if (removed) {
        return item;
      }
      const author = frame.author && typeof frame.author === "object" ? frame.author : null;
      const mine = author !== null && author.id === this.selfId;
      if (mine) {
        item.classList.add("chat-message--mine");
      }
      field("author").textContent = author ? author.display_name : this.text("FormerMember");
      this.formatTime(field("time"), frame.created_at);
      field("edited").hidden = !frame.edited_at;
      if (isSeq(frame.reply_to) && frame.reply_to > 0) {
        const replyTo = field("reply-to");
        const link = replyTo.querySelector("a");
        link.href = `#m-${room}-${frame.reply_to}`;
        link.textContent = fill(this.text("ReplyTo"), { seq: frame.reply_to });
        replyTo.hidden = false;
      }
      field("body").textContent = frame.body;
      for (const label of item.querySelectorAll("[data-label]")) {
        label.textContent = ` ${fill(label.dataset.label, { seq })}`;
      }
      const reply = field("reply");
      if (reply) {
        reply.href = `${this.roomUrl}?reply_to=${seq}#chat-form-${room}`;
        reply.dataset.reply = String(seq);
      }
      const report = field("report");
      if (mine) {
        report.remove();
      } else {
        const id = `report-${room}-${seq}`;
        report.querySelector('input[name="seq"]').value = String(seq);
        report.querySelector("label").htmlFor = id;
        const hint = report.querySelector(".hint");
        hint.id = `${id}-hint`;
        const reason = report.querySelector("textarea");
        reason.id = id;
        reason.setAttribute("aria-describedby", hint.id);
      }
      const actions = field("actions");
      if (!actions.children.length) {
        actions.remove();
      }
      return item;
    }

    /* --- A missing range, through REST --- */

    missingUntil() {
      let target = this.gapTo;
      for (const seq of this.buffer.keys()) {
        target = Math.max(target, seq - 1);
      }
      return target;
    }

    async fillGap() {
      if (this.filling) {
        return;
      }
      this.filling = true;
      try {
        for (;;) {
          this.drain();
          if (this.stopped || this.lastSeq >= this.missingUntil()) {
            this.gapTo = 0;
            this.resubscribed = false;
            return;
          }
          const before = this.lastSeq;
          const url = `${this.messagesUrl}?after=${encodeURIComponent(String(before))}`;
          const response = await fetch(url, {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          });
          if (!response.ok) {
            throw new Error(`HTTP ${response.status}`);
          }
          const data = await response.json();
          for (const item of Array.isArray(data?.results) ? data.results : []) {
            if (item && isSeq(item.seq) && item.seq === this.lastSeq + 1) {
              this.settlePending(item);
              this.append(item.removed ? { type: "message_removed", seq: item.seq } : item);
              this.drain();
            }
          }
          if (this.lastSeq === before) {
            throw new Error("no progress");
          }
        }
      } catch (error) {
        this.gapFailed();
      } finally {
        this.filling = false;
      }
    }

    gapFailed() {
      if (!this.resubscribed && this.connection.isOpen()) {
        // The socket's own catch-up brings up to 500 messages after our last seq.
        this.resubscribed = true;
        this.connection.send({ type: "subscribe", room: this.room, after: this.lastSeq });
        return;
      }
      // Show what did arrive, in order, and say that something in between is missing.
      this.say(this.text("LoadFailed"));
      for (const seq of [...this.buffer.keys()].sort((a, b) => a - b)) {
        const frame = this.buffer.get(seq);
        this.buffer.delete(seq);
        if (seq > this.lastSeq) {
          this.append(frame);
        }
      }
      this.gapTo = 0;
      this.resubscribed = false;
    }

    /* --- Sending --- */

    onSubmit(event) {
      if (this.stopped || !this.subscribed || !this.connection.isOpen()) {
        return; // the ordinary form post
      }
      event.preventDefault();
      if (this.pending) {
        return;
      }
      const body = this.body.value;
      if (!body.trim()) {
        this.say(this.text("Empty"));
        this.body.focus();
        return;
      }
      const clientId = this.clientIdField.value || newClientId();
      this.clientIdField.value = clientId; // a fallback post reuses it: stored once either way
      const frame = { type: "send", room: this.room, client_id: clientId, body };
      const replyTo = Number.parseInt(this.replyField?.value ?? "", 10);
      if (replyTo > 0) {
        frame.reply_to = replyTo;
      }
      if (!this.connection.send(frame)) {
        this.postInstead();
        return;
      }
      this.pending = { clientId, body, timer: setTimeout(() => this.postInstead(), SEND_TIMEOUT) };
      this.say(this.text("Sending"));
    }

    /* The server's message with our client_id: now, and only now, the box is emptied. */
    settlePending(frame) {
      if (!this.pending || frame.client_id !== this.pending.clientId) {
        return;
      }
      clearTimeout(this.pending.timer);
      if (this.body.value === this.pending.body) {
        this.body.value = "";
      }
      this.pending = null;
      this.clearReply();
      this.clientIdField.value = newClientId();
      this.say("");
      this.root.querySelector(".error-summary")?.remove();
    }

    postInstead() {
      if (this.pending) {
        clearTimeout(this.pending.timer);
        this.pending = null;
        this.say(this.text("SendFallback"));
      }
      if (this.form && !this.unloading) {
        HTMLFormElement.prototype.submit.call(this.form);
      }
    }

    startReply(seq) {
      if (!this.replyField || !this.replyBox) {
        return;
      }
      this.replyField.value = String(seq);
      this.replyBox.querySelector("[data-chat-reply-text]").textContent = fill(this.text("Replying"), { seq });
      this.replyBox.hidden = false;
      this.body.focus();
    }

    clearReply() {
      if (this.replyField) {
        this.replyField.value = "";
      }
      if (this.replyBox) {
        this.replyBox.hidden = true;
      }
    }

    /* --- Reading: what has been on screen is read --- */

    onVisibility(entries) {
      for (const entry of entries) {
        const seq = Number(entry.target.dataset.seq);
        if (entry.isIntersecting) {
          this.inView.add(seq);
        } else {
          this.inView.delete(seq);
        }
      }
      if (this.readTimer === null) {
        this.readTimer = setTimeout(() => {
          this.readTimer = null;
          this.flushRead();
        }, READ_DELAY);
      }
    }

    flushRead() {
      if (document.visibilityState !== "visible" || !this.subscribed) {
        return;
      }
      const newest = Math.max(0, ...this.inView);
      if (newest > this.readSeq && newest <= this.lastSeq) {
        this.readSeq = newest;
        this.connection.send({ type: "read", room: this.room, seq: newest });
      }
    }

    /* --- Notifications: no answer, a small notice --- */

    showNotification(frame) {
      if (!this.notice || typeof frame.title !== "string") {
        return;
      }
      const text = fill(this.text("Notification"), { title: frame.title });
      if (isLocalPath(frame.url)) {
        const link = document.createElement("a");
        link.href = frame.url;
        link.textContent = text;
        this.notice.replaceChildren(link);
      } else {
        this.notice.textContent = text;
      }
    }
  }

  /* --- Start --- */

  function start() {
    const roots = document.querySelectorAll('[data-chat-panel][data-live="true"]');
    if (!roots.length || !("WebSocket" in window)) {
      return;
    }
    const connection = new Connection(roots[0].dataset.socketPath || "/ws/v1/");
    const panels = Array.from(roots, (root) => new Panel(root, connection));
    panels.forEach((panel) => connection.add(panel));
    window.addEventListener("online", () => connection.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        connection.reconnectNow();
        panels.forEach((panel) => panel.flushRead());
      }
    });
    window.addEventListener("pagehide", () => {
      panels.forEach((panel) => {
        panel.unloading = true;
      });
      connection.stop();
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) {
        // Back from the page cache: catch up from where the page was left.
        panels.forEach((panel) => {
          panel.unloading = false;
        });
        connection.restart();
      }
    });
    connection.connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
