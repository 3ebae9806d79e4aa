import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from "chart.js";
import { Chart } from "react-chartjs-2";
import { formatMoney, formatMonth, type MonthFigures } from "../../api/dashboard";
import styles from "./accounts.module.css";

// Only what this chart draws, so the rest of Chart.js stays out of the bundle.
ChartJS.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

type Kind = "bar" | "line";

const options: ChartOptions<Kind> = {
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: "index", intersect: false },
  scales: {
    subscriptions: {
      type: "linear",
      position: "left",
      beginAtZero: true,
      ticks: { precision: 0 },
      title: { display: true, text: "New subscriptions" },
    },
    revenue: {
      type: "linear",
      position: "right",
      beginAtZero: true,
      grid: { drawOnChartArea: false },
      ticks: { callback: (value) => formatMoney(Number(value)) },
      title: { display: true, text: "Revenue" },
    },
  },
  plugins: {
    legend: { position: "bottom" },
    tooltip: {
      callbacks: {
        label: (item) =>
          item.dataset.label === "Revenue"
            ? `Revenue: ${formatMoney(item.parsed.y ?? 0)}`
            : `New subscriptions: ${item.parsed.y ?? 0}`,
      },
    },
  },
};

/** New subscriptions (bars) and revenue (line) of the last months; the same figures are in a table. */
export function DashboardChart({ series, describedBy }: { series: MonthFigures[]; describedBy: string }) {
  const data: ChartData<Kind, number[], string> = {
    labels: series.map((month) => formatMonth(month.month)),
    datasets: [
      {
        type: "bar",
        label: "New subscriptions",
        data: series.map((month) => month.new_subscriptions),
        backgroundColor: "rgba(59, 130, 246, 0.65)",
        borderColor: "rgb(59, 130, 246)",
        borderWidth: 1,
        yAxisID: "subscriptions",
        order: 2,
      },
      {
        type: "line",
        label: "Revenue",
        data: series.map((month) => month.revenue),
        borderColor: "rgb(217, 119, 6)",
        backgroundColor: "rgb(217, 119, 6)",
        tension: 0.25,
        yAxisID: "revenue",
        order: 1,
      },
    ],
  };
  return (
    <div className={styles.chart}>
      <Chart
        type="bar"
        data={data}
        options={options}
        role="img"
        aria-label="Chart of new subscriptions and revenue by month"
        aria-describedby={describedBy}
      />
    </div>
  );
}
