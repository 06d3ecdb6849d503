// Collect browser attributes, post them to /api/fingerprint, and show the answer.
// Served by the app itself (the Content-Security-Policy allows scripts from 'self' only).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let lastId = null;

  // FNV-1a, 32 bit: used only where crypto.subtle is missing (plain HTTP on a non-local host).
  function fnv1a(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return "fnv1a-" + hash.toString(16).padStart(8, "0");
  }

  async function digest(text) {
    if (window.crypto && window.crypto.subtle) {
      const bytes = new TextEncoder().encode(text);
      const buffer = await window.crypto.subtle.digest("SHA-256", bytes);
      return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
    }
    return fnv1a(text);
  }

  // Draw text and shapes; tiny rendering differences (fonts, anti-aliasing, GPU) change the pixels.
  function canvasImage() {
    const canvas = document.createElement("canvas");
    canvas.width = 240;
    canvas.height = 60;
    const ctx = canvas.getContext("2d");
    if (!ctx) {
      return null;
    }
    ctx.textBaseline = "top";
    ctx.font = "16px Arial, sans-serif";
    ctx.fillStyle = "#f60";
    ctx.fillRect(120, 4, 70, 24);
    ctx.fillStyle = "#069";
    ctx.fillText("cloudlab fingerprint \u263a", 4, 10);
    ctx.fillStyle = "rgba(102, 204, 0, 0.7)";
    ctx.fillText("cloudlab fingerprint \u263a", 6, 12);
    ctx.beginPath();
    ctx.arc(200, 40, 16, 0, Math.PI * 2);
    ctx.stroke();
    return canvas.toDataURL();
  }

  function webgl() {
    try {
      const gl = document.createElement("canvas").getContext("webgl");
      if (!gl) {
        return [null, null];
      }
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      if (info) {
        return [gl.getParameter(info.UNMASKED_VENDOR_WEBGL), gl.getParameter(info.UNMASKED_RENDERER_WEBGL)];
      }
      return [gl.getParameter(gl.VENDOR), gl.getParameter(gl.RENDERER)];
    } catch (error) {
      return [null, null];
    }
  }

  function text(value, limit) {
    return value === undefined || value === null ? null : String(value).slice(0, limit || 500);
  }

  async function collect() {
    const image = canvasImage();
    const [vendor, renderer] = webgl();
    const plugins = Array.from(navigator.plugins || [], (p) => text(p.name, 100)).slice(0, 32);
    return {
      user_agent: text(navigator.userAgent),
      languages: Array.from(navigator.languages || [navigator.language], (l) => text(l, 60)).slice(0, 32),
      timezone: text(Intl.DateTimeFormat().resolvedOptions().timeZone),
      timezone_offset: new Date().getTimezoneOffset(),
      screen: `${screen.width}x${screen.height}x${screen.colorDepth}`,
      pixel_ratio: window.devicePixelRatio || 1,
      hardware_concurrency: navigator.hardwareConcurrency || null,
      device_memory: navigator.deviceMemory || null,
      platform: text(navigator.platform),
      touch_points: navigator.maxTouchPoints || 0,
      canvas: image === null ? null : await digest(image),
      cookies_enabled: navigator.cookieEnabled,
      do_not_track: text(navigator.doNotTrack),
      plugins: plugins,
      webgl_vendor: text(vendor),
      webgl_renderer: text(renderer),
    };
  }

  function show(attributes, answer) {
    lastId = answer.fingerprint_id;
    $("fingerprint-id").textContent = answer.fingerprint_id;
    $("returning").textContent = answer.returning ? "yes" : "no";
    $("remembered").textContent = answer.remembered ? "yes" : "no";
    $("total-bits").textContent = answer.bits.total.toFixed(1);
    $("bits-note").textContent = answer.bits.note;
    const body = $("attributes").querySelector("tbody");
    body.replaceChildren();
    for (const name of Object.keys(attributes).sort()) {
      const figure = answer.bits.attributes[name] || {};
      const row = document.createElement("tr");
      for (const cell of [
        name,
        JSON.stringify(attributes[name]),
        figure.bits === null || figure.bits === undefined ? "no published figure" : figure.bits,
        figure.source || "",
      ]) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    $("remember").disabled = false;
    $("forget").disabled = false;
  }

  async function post(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.message || response.statusText);
    }
    return answer;
  }

  async function send(remember) {
    const attributes = await collect();
    const answer = await post("/api/fingerprint", { attributes: attributes, remember: remember });
    show(attributes, answer);
    return answer;
  }

  async function run(action, done) {
    $("remember").disabled = true;
    $("forget").disabled = true;
    try {
      await action();
      $("status").textContent = done;
    } catch (error) {
      $("status").textContent = "Error: " + error.message;
    } finally {
      $("remember").disabled = lastId === null;
      $("forget").disabled = lastId === null;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("remember").addEventListener("click", () =>
      run(() => send(true), "Remembered: this browser will be recognised, even without cookies."));
    $("forget").addEventListener("click", () =>
      run(async () => {
        await post("/api/fingerprint/forget", { fingerprint_id: lastId });
        await send(false);
      }, "Forgotten: this server no longer stores your fingerprint."));
    run(() => send(false), "Done.");
  });
})();
