import { LitElement, html, css } from 'lit';
import { namespaces, path } from 'build-time-data';
import '@vaadin/grid';

/** The namespaces and their handler methods, as the build found them. */
export class QwcSocketioHandlers extends LitElement {

    static styles = css`
        h3 { margin: 0.8em 1em 0.3em; font-size: 1em; }
        .path { padding: 0.5em 1em; }
    `;

    render() {
        return html`
            <div class="path">Socket.IO served at <code>${path}</code></div>
            ${namespaces.map(ns => html`
                <h3>${ns.namespace}</h3>
                <vaadin-grid .items="${ns.handlers}" theme="row-stripes" all-rows-visible>
                    <vaadin-grid-column header="Kind" path="kind" auto-width></vaadin-grid-column>
                    <vaadin-grid-column header="Event" path="event" auto-width></vaadin-grid-column>
                    <vaadin-grid-column header="Class" path="class" auto-width></vaadin-grid-column>
                    <vaadin-grid-column header="Method" path="method" auto-width></vaadin-grid-column>
                    <vaadin-grid-column header="Runs on" path="threading" auto-width></vaadin-grid-column>
                </vaadin-grid>`)}`;
    }
}
customElements.define('qwc-socketio-handlers', QwcSocketioHandlers);
