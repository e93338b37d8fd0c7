import { Component, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { cookie } from "@web/core/browser/cookie";
import { getColor, hexToRGBA } from "@web/core/colors/colors";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatMonetary } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * Credit Control overview: the app's landing page. One server call returns every figure
 * (customer.risk.dashboard.get_data); each figure opens the list behind it.
 */
export class CreditControlOverview extends Component {
    static template = "customer_risk.Overview";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        this.canvasRef = useRef("historyChart");
        this.chart = null;
        onWillStart(async () => {
            await Promise.all([loadBundle("web.chartjs_lib"), this.load()]);
        });
        useEffect(
            () => {
                this.renderChart();
                return () => this.chart?.destroy();
            },
            () => [this.state.data]
        );
    }

    async load() {
        this.state.data = await this.orm.call("customer.risk.dashboard", "get_data", []);
    }

    money(value, short = false) {
        return formatMonetary(value || 0, {
            currencyId: this.state.data.currency_id,
            humanReadable: short,
        });
    }

    percent(value) {
        return value === null || value === undefined ? "—" : `${value}%`;
    }

    date(value) {
        return value ? formatDate(deserializeDate(value)) : "";
    }

    utilizationClass(value) {
        if (value === null || value === undefined) {
            return "bg-secondary";
        }
        return value > 100 ? "bg-danger" : value >= 80 ? "bg-warning" : "bg-success";
    }

    barWidth(value) {
        return `width: ${Math.min(value || 0, 100)}%`;
    }

    severityClass(severity) {
        return {
            critical: "text-bg-danger",
            high: "text-bg-warning",
            medium: "text-bg-info",
            low: "text-bg-secondary",
        }[severity];
    }

    async open(kind, value = null) {
        const action = await this.orm.call("customer.risk.dashboard", "action_open", [
            kind,
            value,
        ]);
        await this.action.doAction(action);
    }

    renderChart() {
        const history = this.state.data?.history || [];
        if (!this.canvasRef.el || !history.length) {
            return;
        }
        this.chart?.destroy();
        const scheme = cookie.get("color_scheme");
        const exposureColor = getColor(0, scheme, "odoo");
        // Overdue reads as a danger everywhere on the page.
        const overdueColor = "#d44c59";
        const labels = history.map((point) =>
            deserializeDate(point.date).toFormat("MMM yyyy")
        );
        this.chart = new Chart(this.canvasRef.el, {
            type: "line",
            data: {
                labels,
                datasets: [
                    {
                        label: _t("Exposure"),
                        data: history.map((point) => point.exposure),
                        borderColor: exposureColor,
                        backgroundColor: hexToRGBA(exposureColor, 0.15),
                        fill: "origin",
                        tension: 0.2,
                    },
                    {
                        label: _t("Overdue"),
                        data: history.map((point) => point.overdue),
                        borderColor: overdueColor,
                        backgroundColor: hexToRGBA(overdueColor, 0.15),
                        fill: "origin",
                        tension: 0.2,
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                interaction: { mode: "index", intersect: false },
                plugins: {
                    legend: { position: "bottom" },
                    tooltip: {
                        callbacks: {
                            label: (item) => `${item.dataset.label}: ${this.money(item.raw)}`,
                        },
                    },
                },
                scales: {
                    y: {
                        beginAtZero: true,
                        ticks: { callback: (value) => this.money(value, true) },
                    },
                },
            },
        });
    }
}

registry.category("actions").add("customer_risk.overview", CreditControlOverview);
