// Recording a walk on a phone with a poor connection.
//
// Every stop's form is sent by fetch (Accept: application/json) with a key made on the phone
// (client_key) the first time the form is touched, so the server updates instead of storing
// twice when a send is repeated. Until the server has confirmed a stop, what was typed stays
// in localStorage (fields) and IndexedDB (photo files); a failed send (offline, network
// error, server error) leaves it queued, and the queue is sent again on the `online` event,
// every RETRY_MS and when the page is opened again. Without this script the same forms post
// normally, one stop per submit.
(function () {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root || !window.fetch || !window.FormData) return;

  const RETRY_MS = 15000;
  const storageKey = root.dataset.storageKey;
  const uploadUrl = root.dataset.uploadUrl;
  const texts = JSON.parse(root.dataset.texts || "{}");
  const stopsBox = document.getElementById("stops");
  const nav = document.getElementById("stop-nav");
  const template = document.getElementById("stop-template");
  const addForm = document.getElementById("add-stop-form");
  const queueStatus = document.getElementById("queue-status");
  let flushing = false;
  let flushAgain = false;

  // --- keys and storage --------------------------------------------------------------------

  function uuid4() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(storageKey) || "") || { stops: {} };
    } catch (error) {
      return { stops: {} };
    }
  }
  let state = load();
  if (!state.stops) state.stops = {};

  function persist() {
    try {
      localStorage.setItem(storageKey, JSON.stringify(state));
    } catch (error) {
      // Storage full or disabled: the form still holds the data while the page is open.
    }
  }

  const db = new Promise(function (resolve) {
    if (!window.indexedDB) return resolve(null);
    const request = indexedDB.open("defus-walks", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("photos", { keyPath: "key" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { resolve(null); };
  });

  function photoStore(mode, work) {
    return db.then(function (database) {
      if (!database) return null;
      return new Promise(function (resolve, reject) {
        const transaction = database.transaction("photos", mode);
        const result = work(transaction.objectStore("photos"));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  const putPhoto = (photo) => photoStore("readwrite", (store) => store.put(photo));
  const deletePhoto = (key) => photoStore("readwrite", (store) => store.delete(key));
  const allPhotos = () =>
    photoStore("readonly", (store) => store.getAll()).then((all) =>
      (all || []).filter((photo) => photo.walk === storageKey));

  // --- the stops on the page -------------------------------------------------------------------

  function sectionOf(slot) { return document.getElementById("stop-" + slot); }
  function formOf(slot) { const s = sectionOf(slot); return s && s.querySelector("form.stop-form"); }

  function setStatus(slot, text, kind) {
    const section = sectionOf(slot);
    if (!section) return;
    const status = section.querySelector(".stop-status");
    status.textContent = text;
    status.className = "stop-status" + (kind ? " is-" + kind : "");
    const badge = nav && nav.querySelector('a[data-slot="' + slot + '"] .badge');
    if (badge) {
      badge.textContent = { saved: texts.status_saved, queued: texts.status_queued }[kind] || badge.textContent;
    }
  }

  function fieldsOf(form) {
    const fields = [];
    for (const element of form.elements) {
      if (!element.name || element.type === "file" || element.name === "csrfmiddlewaretoken") continue;
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) continue;
      fields.push([element.name, element.value]);
    }
    return fields;
  }

  function restoreFields(form, fields) {
    const names = new Set(fields.map((pair) => pair[0]));
    for (const element of form.elements) {
      if ((element.type === "radio" || element.type === "checkbox") && names.has(element.name)) {
        element.checked = false;
      }
    }
    for (const [name, value] of fields) {
      const match = /^issue-(\d+)-/.exec(name);
      if (match) ensureIssueRow(form, parseInt(match[1], 10));
      for (const element of form.querySelectorAll('[name="' + CSS.escape(name) + '"]')) {
        if (element.type === "radio" || element.type === "checkbox") {
          if (element.value === value) element.checked = true;
        } else if (element.type !== "file") {
          element.value = value;
        }
      }
    }
  }

  function ensureClientKey(form) {
    const input = form.elements.client_key;
    if (!input.value) input.value = uuid4();
    return input.value;
  }

  function entryFor(slot) {
    const form = formOf(slot);
    let entry = state.stops[slot];
    if (!entry) {
      entry = state.stops[slot] = { rev: 0, pending: false, isNew: !form.elements.stop.value };
    }
    return entry;
  }

  function remember(slot) {
    const form = formOf(slot);
    if (!form) return;
    ensureClientKey(form);
    const entry = entryFor(slot);
    entry.fields = fieldsOf(form);
    entry.rev += 1;
    persist();
  }

  function wire(section) {
    const slot = section.dataset.slot;
    const form = section.querySelector("form.stop-form");
    const onChange = function (event) {
      if (event.target.type === "file") return;
      remember(slot);
      if (event.target.name === "name") {
        section.querySelector(".stop-name").textContent = event.target.value;
        const label = nav && nav.querySelector('a[data-slot="' + slot + '"] .nav-name');
        if (label) label.textContent = event.target.value;
      }
    };
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(slot);
    });
    const addIssue = section.querySelector(".add-issue");
    addIssue.hidden = false;
    addIssue.addEventListener("click", function () {
      const rows = form.querySelectorAll(".issue");
      const row = ensureIssueRow(form, rows.length);
      row.querySelector("select").focus();
    });
  }

  function ensureIssueRow(form, index) {
    const box = form.querySelector(".issue-rows");
    let rows = box.querySelectorAll(".issue");
    while (rows.length <= index) {
      const last = rows[rows.length - 1];
      const from = last.dataset.index;
      const to = String(rows.length);
      const row = last.cloneNode(true);
      row.dataset.index = to;
      row.classList.remove("has-error");
      for (const error of row.querySelectorAll(".errorlist")) error.remove();
      for (const remove of row.querySelectorAll(".check")) remove.remove();
      for (const element of row.querySelectorAll("[name], [id], label[for]")) {
        for (const attribute of ["name", "id", "for"]) {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace("issue-" + from + "-", "issue-" + to + "-"));
        }
        if (element.name && element.name.endsWith("-key")) element.value = uuid4();
        else if (element.tagName === "SELECT") element.selectedIndex = element.name.endsWith("severity") ? 1 : 0;
        else if (element.name) element.value = "";
      }
      box.appendChild(row);
      rows = box.querySelectorAll(".issue");
    }
    return rows[index];
  }

  function newSection(slot, number) {
    const html = template.innerHTML.split("__SLOT__").join(slot).split("__NUMBER__").join(number);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const section = holder.firstElementChild;
    // Fresh keys: the template's issue key must not be shared by two new stops.
    for (const input of section.querySelectorAll('input[name$="-key"]')) input.value = uuid4();
    stopsBox.appendChild(section);
    if (nav) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "#stop-" + slot;
      link.dataset.slot = slot;
      link.append(number + ". ");
      const name = document.createElement("span");
      name.className = "nav-name";
      link.append(name, " ");
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = texts.status_new;
      link.append(badge);
      item.append(link);
      nav.append(item);
    }
    wire(section);
    return section;
  }

  // --- sending -------------------------------------------------------------------------------

  function csrfToken() {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  async function post(url, body) {
    // "network": try again later; "login": the session ended; otherwise the JSON answer.
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
    } catch (error) {
      return { outcome: "network" };
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return { outcome: "network" };
    }
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("application/json")) return { outcome: "login" };
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      return { outcome: "network" };
    }
    return { outcome: "answer", status: response.status, data: data };
  }

  async function sendStop(slot) {
    const entry = state.stops[slot];
    const form = formOf(slot);
    if (!entry || !form) return "skip";
    const sentRev = entry.rev;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    for (const [name, value] of entry.fields || fieldsOf(form)) body.append(name, value);
    if (entry.kind === "add") body.append("intent", "add");
    setStatus(slot, texts.saving, "");
    const result = await post(form.action, body);
    if (result.outcome === "network") {
      setStatus(slot, texts.queued, "queued");
      return "network";
    }
    if (result.outcome === "login" || result.status === 403) {
      setStatus(slot, texts.login, "error");
      return "network";
    }
    const data = result.data;
    if (!data.ok) {
      entry.pending = false;
      persist();
      setStatus(slot, texts.invalid + " " + (data.message || ""), "error");
      return "invalid";
    }
    const stop = data.stop;
    form.elements.stop.value = stop.id;
    if (stop.client_key) form.elements.client_key.value = stop.client_key;
    sectionOf(slot).querySelector(".stop-name").textContent = stop.name;
    setStatus(slot, texts.saved + (data.warnings && data.warnings.length ? " " + data.warnings.join(" ") : ""), "saved");
    if (entry.rev === sentRev) {
      delete state.stops[slot];
    } else {
      entry.isNew = false;
      entry.kind = "full";
    }
    persist();
    return "ok";
  }

  function stopKeyOfSlot(slot) {
    const form = formOf(slot);
    return form ? { key: form.elements.client_key.value, id: form.elements.stop.value } : null;
  }

  function photoLine(slot, photo, text) {
    const section = sectionOf(slot);
    if (!section) return;
    const list = section.querySelector(".photo-queue");
    let line = list.querySelector('[data-key="' + photo.key + '"]');
    if (!line) {
      line = document.createElement("li");
      line.dataset.key = photo.key;
      list.append(line);
    }
    line.textContent = text;
  }

  async function sendPhoto(photo) {
    const stop = stopKeyOfSlot(photo.slot) || { key: photo.stopKey, id: "" };
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("stop_key", stop.key || photo.stopKey);
    body.append("stop", stop.id || "");
    body.append("client_key", photo.key);
    body.append("caption", photo.caption || "");
    body.append("photo", photo.blob, photo.name);
    const result = await post(uploadUrl, body);
    const name = photo.name;
    if (result.outcome !== "answer" || result.status === 403) {
      photoLine(photo.slot, photo, texts.photo_queued.replace("%(name)s", name));
      return "network";
    }
    if (result.status === 409) return "later"; // its stop has not arrived yet
    await deletePhoto(photo.key);
    if (result.data.ok) {
      photoLine(photo.slot, photo, texts.photo_saved.replace("%(name)s", name));
      return "ok";
    }
    photoLine(photo.slot, photo, result.data.message);
    setStatus(photo.slot, result.data.message, "error");
    return "invalid";
  }

  async function flush() {
    if (flushing) {
      flushAgain = true;
      return;
    }
    flushing = true;
    try {
      let offline = false;
      for (const slot of Object.keys(state.stops)) {
        if (!state.stops[slot].pending) continue;
        if ((await sendStop(slot)) === "network") {
          offline = true;
          break;
        }
      }
      if (!offline) {
        for (const photo of await allPhotos()) {
          if ((await sendPhoto(photo)) === "network") break;
        }
      }
    } finally {
      flushing = false;
      await showQueue();
      if (flushAgain) {
        flushAgain = false;
        flush();
      }
    }
  }

  async function pendingCount() {
    const stops = Object.values(state.stops).filter((entry) => entry.pending).length;
    const photos = (await allPhotos()).length;
    return stops + photos;
  }

  async function showQueue() {
    const count = await pendingCount();
    queueStatus.textContent = count ? texts.pending.replace("%(count)s", count) : "";
    return count;
  }

  async function save(slot) {
    const form = formOf(slot);
    const stopKey = ensureClientKey(form);
    const input = form.querySelector('input[type="file"]');
    const caption = form.elements.caption;
    const files = input ? Array.from(input.files) : [];
    for (const file of files) {
      const photo = {
        key: uuid4(),
        walk: storageKey,
        slot: slot,
        stopKey: stopKey,
        blob: file,
        name: file.name,
        caption: caption ? caption.value : "",
      };
      try {
        await putPhoto(photo);
      } catch (error) {
        // No IndexedDB (private mode): the photo goes with this send only.
      }
      photoLine(slot, photo, texts.photo_queued.replace("%(name)s", photo.name));
    }
    if (input) input.value = "";
    if (caption) caption.value = "";
    remember(slot);
    const entry = entryFor(slot);
    entry.pending = true;
    entry.kind = "full"; // the whole form now, not only "add this stop"
    persist();
    setStatus(slot, texts.saving, "");
    await flush();
  }

  // --- adding a stop in the field -------------------------------------------------------------

  function nextNumber() {
    return document.querySelectorAll("#stops > .stop").length + 1;
  }

  if (addForm) {
    const locate = addForm.querySelector(".locate");
    const addStatus = addForm.querySelector(".add-status");
    if (navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        addStatus.textContent = texts.locating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            addForm.elements.latitude.value = position.coords.latitude.toFixed(6);
            addForm.elements.longitude.value = position.coords.longitude.toFixed(6);
            addStatus.textContent = "";
          },
          function () { addStatus.textContent = texts.no_location; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }
    addForm.addEventListener("submit", function (event) {
      event.preventDefault();
      const latitude = addForm.elements.latitude.value.trim();
      const longitude = addForm.elements.longitude.value.trim();
      if (!latitude || !longitude) {
        addStatus.textContent = texts.no_location;
        addForm.elements.latitude.focus();
        return;
      }
      const key = uuid4();
      const slot = "n" + key.slice(0, 8);
      const section = newSection(slot, nextNumber());
      const form = section.querySelector("form.stop-form");
      form.elements.client_key.value = key;
      form.elements.name.value = addForm.elements.name.value.trim() || texts.new_stop;
      form.elements.latitude.value = latitude;
      form.elements.longitude.value = longitude;
      section.querySelector(".stop-name").textContent = form.elements.name.value;
      const navName = nav && nav.querySelector('a[data-slot="' + slot + '"] .nav-name');
      if (navName) navName.textContent = form.elements.name.value;
      state.stops[slot] = { rev: 0, pending: true, isNew: true, kind: "add", number: nextNumber() - 1 };
      remember(slot);
      addForm.reset();
      addStatus.textContent = "";
      section.querySelector("h2").focus();
      flush();
    });
  }

  // --- finishing ------------------------------------------------------------------------------

  const finishForm = document.getElementById("finish-form");
  if (finishForm) {
    finishForm.addEventListener("submit", async function (event) {
      if (finishForm.dataset.checked === "yes") return;
      event.preventDefault();
      await flush();
      if (await pendingCount()) {
        finishForm.querySelector(".finish-status").textContent = texts.unsent_finish;
        return;
      }
      finishForm.dataset.checked = "yes";
      finishForm.submit();
    });
  }

  // --- start ----------------------------------------------------------------------------------

  for (const section of stopsBox.querySelectorAll(".stop")) wire(section);
  for (const [slot, entry] of Object.entries(state.stops)) {
    let section = sectionOf(slot);
    const key = (entry.fields || []).find((pair) => pair[0] === "client_key");
    if (!section && key && key[1]) {
      // Stored on the server after all (the answer was lost): the page shows it already.
      const input = stopsBox.querySelector('input[name="client_key"][value="' + CSS.escape(key[1]) + '"]');
      if (input) {
        section = input.closest(".stop");
        state.stops[section.dataset.slot] = entry;
        delete state.stops[slot];
      }
    }
    if (!section && entry.isNew && entry.fields) {
      section = newSection(slot, entry.number || nextNumber());
    }
    if (!section || !entry.fields) continue;
    const form = section.querySelector("form.stop-form");
    restoreFields(form, entry.fields);
    const name = form.elements.name.value;
    if (name) section.querySelector(".stop-name").textContent = name;
    if (entry.pending) setStatus(slot, texts.queued, "queued");
  }
  allPhotos().then(function (photos) {
    for (const photo of photos) photoLine(photo.slot, photo, texts.photo_queued.replace("%(name)s", photo.name));
  });
  window.addEventListener("online", flush);
  setInterval(function () {
    pendingCount().then(function (count) { if (count) flush(); });
  }, RETRY_MS);
  flush();
})();
