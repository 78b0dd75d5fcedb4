// chart.js registration (tree-shaken) + the zoom plugin + a white background for PNG export.
import {
  Chart,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Title,
  Tooltip,
  type Plugin,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';

const whiteBackground: Plugin = {
  id: 'seqlabWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

let done = false;
export function setupCharts(): void {
  if (done) return;
  done = true;
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    LinearScale,
    LogarithmicScale,
    Filler,
    Legend,
    Title,
    Tooltip,
    zoomPlugin,
    whiteBackground,
  );
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#333';
}

export { Chart };
