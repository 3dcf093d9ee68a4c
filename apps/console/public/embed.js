/*
 * <auditlog-viewer> — embeds the audit log console in a host platform's page (ADR 0080).
 *
 *   <script src="https://audit.example.com/console/embed.js" defer></script>
 *   <auditlog-viewer token-url="/internal/audit-log/viewer-token"
 *                    path="?ancestor=project:p1"></auditlog-viewer>
 *
 * `token-url` is an endpoint of the HOST's own backend: it mints a viewer token for the user
 * signed in to the host (POST /v1/viewer-tokens) and answers its JSON ({token, url, …}).
 * The element POSTs to it with the host's cookies (credentials: 'include'), opens the
 * answer's `url` in an iframe and, when the console posts `auditlog:session-expiring`,
 * fetches a fresh token and posts `{type: 'auditlog:viewer-token', token}` to the frame.
 *
 * Optional attributes:
 *   src     the console URL to open (e.g. https://audit.example.com/console/?target_id=svc-1);
 *           the token is added as its #viewer_token fragment. Default: the answer's `url`.
 *   path    a query string for the console view (`?ancestor=project:p1&range=7d`), applied
 *           to the answer's `url` when `src` is not given.
 *   title   the iframe's accessible name (default "Audit log").
 *   height  the iframe's CSS height (default 720px).
 */
(function () {
  'use strict';
  if (typeof window === 'undefined' || !window.customElements) return;
  if (window.customElements.get('auditlog-viewer')) return;

  async function mint(tokenUrl) {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      credentials: 'include',
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error('the viewer token request answered ' + response.status);
    const body = await response.json();
    if (!body || typeof body.token !== 'string') throw new Error('the answer holds no token');
    return body;
  }

  function frameUrl(element, answer) {
    const src = element.getAttribute('src');
    let url;
    if (src) {
      url = new URL(src, document.baseURI);
    } else {
      url = new URL(answer.url, document.baseURI);
      const path = element.getAttribute('path');
      if (path) url.search = path.charAt(0) === '?' ? path : '?' + path;
    }
    url.hash = 'viewer_token=' + encodeURIComponent(answer.token);
    return url;
  }

  class AuditlogViewer extends HTMLElement {
    constructor() {
      super();
      this.frame = null;
      this.consoleOrigin = null;
      this.onMessage = this.onMessage.bind(this);
    }

    connectedCallback() {
      window.addEventListener('message', this.onMessage);
      void this.open();
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.onMessage);
    }

    async open() {
      const tokenUrl = this.getAttribute('token-url');
      if (!tokenUrl) {
        this.showError('token-url is missing');
        return;
      }
      try {
        const answer = await mint(tokenUrl);
        const url = frameUrl(this, answer);
        const frame = document.createElement('iframe');
        frame.title = this.getAttribute('title') || 'Audit log';
        frame.referrerPolicy = 'no-referrer';
        frame.style.width = '100%';
        frame.style.height = this.getAttribute('height') || '720px';
        frame.style.border = '0';
        frame.style.display = 'block';
        this.consoleOrigin = url.origin;
        frame.src = url.href;
        this.replaceChildren(frame);
        this.frame = frame;
      } catch (error) {
        this.showError(error instanceof Error ? error.message : String(error));
      }
    }

    showError(message) {
      const note = document.createElement('p');
      note.setAttribute('role', 'alert');
      note.textContent = 'The audit log could not be opened: ' + message;
      this.replaceChildren(note);
    }

    async onMessage(event) {
      // Only the console in this element's own frame, from the console's origin.
      if (!this.frame || event.source !== this.frame.contentWindow) return;
      if (event.origin !== this.consoleOrigin) return;
      const data = event.data;
      if (!data || data.type !== 'auditlog:session-expiring') return;
      try {
        const answer = await mint(this.getAttribute('token-url'));
        this.frame.contentWindow.postMessage(
          { type: 'auditlog:viewer-token', token: answer.token },
          this.consoleOrigin,
        );
      } catch (error) {
        // The session ends; the console shows its sign-in page.
        console.warn('auditlog-viewer: could not refresh the viewer token', error);
      }
    }
  }

  window.customElements.define('auditlog-viewer', AuditlogViewer);
})();
