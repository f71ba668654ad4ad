import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import '@vaadin/grid';
import '@vaadin/grid/vaadin-grid-sort-column.js';

/** The connected sockets, refreshed every two seconds. */
export class QwcSocketioSockets extends LitElement {
    jsonRpc = new JsonRpc(this);

    static styles = css`
        .summary { padding: 0.5em 1em; }
        .grid { height: 100%; }
    `;

    static properties = {
        _sockets: { state: true }
    };

    connectedCallback() {
        super.connectedCallback();
        this._refresh();
        this._timer = setInterval(() => this._refresh(), 2000);
    }

    disconnectedCallback() {
        clearInterval(this._timer);
        super.disconnectedCallback();
    }

    _refresh() {
        this.jsonRpc.getSockets().then(response => { this._sockets = response.result; });
    }

    render() {
        if (!this._sockets) {
            return html`<span class="summary">Loading sockets…</span>`;
        }
        return html`
            <div class="summary" id="socket-count">${this._sockets.length} connected socket(s)</div>
            <vaadin-grid class="grid" .items="${this._sockets}" theme="row-stripes" id="sockets">
                <vaadin-grid-sort-column header="Namespace" path="namespace" auto-width></vaadin-grid-sort-column>
                <vaadin-grid-sort-column header="Socket id" path="id" auto-width></vaadin-grid-sort-column>
                <vaadin-grid-sort-column header="Transport" path="transport" auto-width></vaadin-grid-sort-column>
                <vaadin-grid-sort-column header="Rooms" path="rooms" auto-width></vaadin-grid-sort-column>
                <vaadin-grid-sort-column header="Address" path="address" auto-width></vaadin-grid-sort-column>
                <vaadin-grid-sort-column header="Connected at" path="connectedAt" auto-width></vaadin-grid-sort-column>
            </vaadin-grid>
            <pre id="socket-ids" hidden>${this._sockets.map(s => s.id).join('\n')}</pre>`;
    }
}
customElements.define('qwc-socketio-sockets', QwcSocketioSockets);
