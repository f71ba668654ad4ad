import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import '@vaadin/grid';

/** This process's role and figures; the workers with their state and restarts when it is a cluster's primary. */
export class QwcSocketioCluster extends LitElement {
    jsonRpc = new JsonRpc(this);

    static styles = css`.info { padding: 0.5em 1em; }`;

    static properties = { _cluster: { state: true } };

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getCluster().then(response => { this._cluster = response.result; });
    }

    render() {
        const c = this._cluster;
        if (!c) {
            return html`<span class="info">Loading…</span>`;
        }
        return html`
            <div class="info">Role: <b>${c.role}</b>, node ${c.node}, worker ${c.worker}, pid ${c.pid}.
                ${c.role === 'single' ? 'Dev mode runs one process; the packaged application runs the cluster.' : ''}</div>
            ${c.workers.length ? html`
                <vaadin-grid .items="${c.workers}" theme="row-stripes" all-rows-visible>
                    <vaadin-grid-column header="Worker" path="id"></vaadin-grid-column>
                    <vaadin-grid-column header="Pid" path="pid"></vaadin-grid-column>
                    <vaadin-grid-column header="State" path="state"></vaadin-grid-column>
                    <vaadin-grid-column header="Ready" path="ready"></vaadin-grid-column>
                    <vaadin-grid-column header="Restarts" path="restarts"></vaadin-grid-column>
                </vaadin-grid>` : ''}
            <vaadin-grid .items="${c.figures}" theme="row-stripes" all-rows-visible>
                <vaadin-grid-column header="Group" path="group"></vaadin-grid-column>
                <vaadin-grid-column header="Figure" path="figure"></vaadin-grid-column>
                <vaadin-grid-column header="Value" path="value"></vaadin-grid-column>
            </vaadin-grid>`;
    }
}
customElements.define('qwc-socketio-cluster', QwcSocketioCluster);
