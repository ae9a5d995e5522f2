/**
 * The dashboard's page: draws the numbers of one DashboardData (inlined in the file as JSON, or
 * fetched from `data.json` when served live). Runs in the browser; bundled with Chart.js into one
 * inline script (render-dashboard.ts), so the page needs nothing from the network.
 *
 * Every number shown in a tile or table carries `data-model`, `data-key` and `data-column`: the
 * gold model, the row and the column of `report --format json` it shows.
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ReportRow, ReportValue } from '../../../../lambdas/shared/transform/gold-report.js';
import type { DashboardData } from '../dashboard-model.js';

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);
// Drawn at once: a live refresh redraws every chart, and a person reading numbers wants no motion.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

const PALETTE = ['#1db954', '#3b82f6', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899', '#64748b'];

/** How a number is written: a count, a fraction as a percentage, a percentage, or decimals. */
type NumberFormat = 'count' | 'fraction' | 'percent' | 'decimal1' | 'decimal2';

function formatNumber(value: ReportValue, format: NumberFormat): string {
  if (value === null || typeof value === 'string') return value ?? '–';
  switch (format) {
    case 'count':
      return value.toLocaleString('en-US');
    case 'fraction':
      return `${(value * 100).toFixed(1)}%`;
    case 'percent':
      return `${value.toFixed(1)}%`;
    case 'decimal1':
      return value.toFixed(1);
    case 'decimal2':
      return value.toFixed(2);
  }
}

/** What the page exposes for inspection from the browser's console (and for the browser test). */
interface DashboardWindow {
  spotifyDashboard?: { charts: Map<string, Chart>; data: DashboardData };
}

const charts = new Map<string, Chart>();

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A number that says which report cell it shows. */
function shown(
  tag: 'td' | 'div',
  model: string,
  key: string,
  column: string,
  value: ReportValue,
  format: NumberFormat,
): HTMLElement {
  return element(
    tag,
    {
      class: tag === 'td' ? 'number' : 'value',
      'data-model': model,
      'data-key': key,
      'data-column': column,
      'data-format': format,
    },
    formatNumber(value, format),
  );
}

function section(title: string, wide = false): HTMLElement {
  const node = element('section', wide ? { class: 'wide' } : {}, element('h2', {}, title));
  document.querySelector('main')?.append(node);
  return node;
}

function tile(
  model: string,
  key: string,
  column: string,
  value: ReportValue,
  format: NumberFormat,
  label: string,
) {
  return element(
    'div',
    { class: 'tile' },
    shown('div', model, key, column, value, format),
    element('div', { class: 'label' }, label),
  );
}

interface Column {
  readonly title: string;
  readonly column: string;
  /** Absent: text, not a number. */
  readonly format?: NumberFormat;
}

/** A table of report rows; `keyOf` names each row as the report does (a day, a song id…). */
function table(
  model: string,
  rows: readonly ReportRow[],
  columns: readonly Column[],
  keyOf: (row: ReportRow) => string,
) {
  const head = element(
    'tr',
    {},
    ...columns.map((c) => element('th', c.format ? { class: 'number' } : {}, c.title)),
  );
  const body = rows.map((row) =>
    element(
      'tr',
      {},
      ...columns.map((c) =>
        c.format
          ? shown('td', model, keyOf(row), c.column, row[c.column] ?? null, c.format)
          : element('td', {}, String(row[c.column] ?? '–')),
      ),
    ),
  );
  return element(
    'div',
    { class: 'table-scroll' },
    element('table', {}, element('thead', {}, head), element('tbody', {}, ...body)),
  );
}

function chart(parent: HTMLElement, name: string, config: ChartConfiguration): void {
  const canvas = element('canvas', { 'data-chart': name, role: 'img', 'aria-label': name });
  parent.append(element('div', { class: 'chart' }, canvas));
  charts.set(name, new Chart(canvas, config));
}

/** A panel's section; when it has no rows, the section says `none` and null is returned. */
function panel(title: string, rows: readonly unknown[], none: string, wide = false): HTMLElement | null {
  const node = section(title, wide);
  if (rows.length > 0) return node;
  empty(node, none);
  return null;
}

/** Shares of a whole as a doughnut, the legend beside it. */
function shares(labels: string[], values: number[]): ChartConfiguration {
  return {
    type: 'doughnut',
    data: { labels, datasets: [{ data: values, backgroundColor: PALETTE }] },
    options: { plugins: { legend: { position: 'right' } } },
  };
}

function empty(parent: HTMLElement, text: string): void {
  parent.append(element('p', { class: 'empty' }, text));
}

const day = (row: ReportRow) => String(row.day);

/** The newest 7 rows of a day-grained model, newest first, with their day. */
function lastWeek(model: string, rows: readonly ReportRow[], columns: readonly Column[]): HTMLElement {
  return table(model, rows.slice(-7).reverse(), [{ title: 'day', column: 'day' }, ...columns], day);
}

/** One line of a line chart, in its palette colour, on the axis named. */
function line(label: string, values: number[], color: number, axis = 'y') {
  return { label, data: values, borderColor: PALETTE[color], backgroundColor: PALETTE[color], yAxisID: axis };
}
const numbers = (rows: readonly ReportRow[], column: string) => rows.map((row) => Number(row[column] ?? 0));

function activeUsers(data: DashboardData): void {
  const rows = data.gold.active_users;
  const node = panel('Active users (UTC days)', rows, 'No days in gold.active_users yet.', true);
  const newest = rows.at(-1);
  if (node === null || newest === undefined) return;
  const model = 'active_users';
  node.append(
    element(
      'div',
      { class: 'tiles' },
      tile(
        model,
        day(newest),
        'daily_active_users',
        newest.daily_active_users ?? null,
        'count',
        `daily actives, ${day(newest)}`,
      ),
      tile(
        model,
        day(newest),
        'weekly_active_users',
        newest.weekly_active_users ?? null,
        'count',
        'weekly (7 days)',
      ),
      tile(
        model,
        day(newest),
        'monthly_active_users',
        newest.monthly_active_users ?? null,
        'count',
        'monthly (28 days)',
      ),
      tile(model, day(newest), 'stickiness', newest.stickiness ?? null, 'fraction', 'stickiness (DAU/MAU)'),
    ),
  );
  chart(node, 'active-users', {
    type: 'line',
    data: {
      labels: rows.map(day),
      datasets: [
        line('daily', numbers(rows, 'daily_active_users'), 0),
        line('weekly', numbers(rows, 'weekly_active_users'), 1),
        line('monthly', numbers(rows, 'monthly_active_users'), 2),
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
  node.append(
    lastWeek(model, rows, [
      { title: 'daily', column: 'daily_active_users', format: 'count' },
      { title: 'weekly', column: 'weekly_active_users', format: 'count' },
      { title: 'monthly', column: 'monthly_active_users', format: 'count' },
      { title: 'stickiness', column: 'stickiness', format: 'fraction' },
    ]),
  );
}

function hourlyVolume(data: DashboardData): void {
  const rows = data.gold.hourly_event_volume;
  const node = panel(
    `Events per hour (newest ${rows.length} hours, UTC)`,
    rows,
    'No hours in gold.hourly_event_volume yet.',
    true,
  );
  const newest = rows.at(-1);
  if (node === null || newest === undefined) return;
  const model = 'hourly_event_volume';
  const hour = (row: ReportRow) => String(row.hour);
  node.append(
    element(
      'div',
      { class: 'tiles' },
      tile(
        model,
        hour(newest),
        'events',
        newest.events ?? null,
        'count',
        `events, hour of ${hour(newest).slice(0, 16).replace('T', ' ')}`,
      ),
      tile(model, hour(newest), 'plays', newest.plays ?? null, 'count', 'plays'),
      tile(model, hour(newest), 'skips', newest.skips ?? null, 'count', 'skips'),
      tile(model, hour(newest), 'unique_users', newest.unique_users ?? null, 'count', 'listeners'),
    ),
  );
  chart(node, 'hourly-volume', {
    type: 'bar',
    data: {
      labels: rows.map((row) => hour(row).slice(5, 13).replace('T', ' ')),
      datasets: [
        { label: 'plays', data: numbers(rows, 'plays'), backgroundColor: PALETTE[0], stack: 'events' },
        { label: 'skips', data: numbers(rows, 'skips'), backgroundColor: PALETTE[3], stack: 'events' },
        { label: 'pauses', data: numbers(rows, 'pauses'), backgroundColor: PALETTE[2], stack: 'events' },
        {
          label: 'playlist adds',
          data: numbers(rows, 'playlist_adds'),
          backgroundColor: PALETTE[4],
          stack: 'events',
        },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
}

/** Bars are labelled by song alone, so that the labels fit a phone; the table beside names the artist. */
const songLabel = (row: ReportRow) => String(row.song_name);

function rankedBars(labels: string[], values: number[], label: string, color: string, suggestedMax?: number) {
  return {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: color }] },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ...(suggestedMax === undefined ? {} : { suggestedMax }) } },
    },
  } satisfies ChartConfiguration<'bar'> as ChartConfiguration;
}

/** A panel of one chart and, under it, the exact numbers of the rows it draws. */
interface ChartPanel {
  readonly title: string;
  readonly rows: readonly ReportRow[];
  readonly none: string;
  readonly chartName: string;
  readonly chart: () => ChartConfiguration;
  readonly model: string;
  readonly columns: readonly Column[];
  readonly keyOf: (row: ReportRow) => string;
}

function chartPanel(spec: ChartPanel): HTMLElement | null {
  const node = panel(spec.title, spec.rows, spec.none);
  if (node === null) return null;
  chart(node, spec.chartName, spec.chart());
  node.append(table(spec.model, spec.rows, spec.columns, spec.keyOf));
  return node;
}

const songId = (row: ReportRow) => String(row.song_id);

function topSongs(data: DashboardData): void {
  const rows = data.gold.top_songs;
  chartPanel({
    title: `Top songs by plays (first ${rows.length})`,
    rows,
    none: 'No plays in gold.top_songs yet.',
    chartName: 'top-songs',
    chart: () => rankedBars(rows.map(songLabel), numbers(rows, 'total_plays'), 'plays', PALETTE[0]!),
    model: 'top_songs',
    columns: [
      { title: 'song', column: 'song_name' },
      { title: 'artist', column: 'artist_name' },
      { title: 'plays', column: 'total_plays', format: 'count' },
      { title: 'skips', column: 'total_skips', format: 'count' },
    ],
    keyOf: songId,
  });
}

function skipRates(data: DashboardData): void {
  const rows = data.gold.skip_rate_by_song;
  chartPanel({
    title: `Highest skip rates (first ${rows.length})`,
    rows,
    none: 'No plays in gold.skip_rate_by_song yet.',
    chartName: 'skip-rates',
    chart: () =>
      rankedBars(
        rows.map(songLabel),
        rows.map((row) => Number(row.skip_rate ?? 0) * 100),
        'skip rate, %',
        PALETTE[3]!,
        100,
      ),
    model: 'skip_rate_by_song',
    columns: [
      { title: 'song', column: 'song_name' },
      { title: 'plays', column: 'total_plays', format: 'count' },
      { title: 'skips', column: 'total_skips', format: 'count' },
      { title: 'skip rate', column: 'skip_rate', format: 'fraction' },
    ],
    keyOf: songId,
  });
}

function devices(data: DashboardData): void {
  const rows = data.gold.device_usage;
  const device = (row: ReportRow) => String(row.device_type);
  chartPanel({
    title: 'Devices (share of events)',
    rows,
    none: 'No events in gold.device_usage yet.',
    chartName: 'device-shares',
    chart: () => shares(rows.map(device), numbers(rows, 'total_events')),
    model: 'device_usage',
    columns: [
      { title: 'device', column: 'device_type' },
      { title: 'events', column: 'total_events', format: 'count' },
      { title: 'listeners', column: 'unique_users', format: 'count' },
      { title: 'share', column: 'device_event_pct', format: 'percent' },
    ],
    keyOf: device,
  });
}

function countries(data: DashboardData): void {
  const { country_engagement: rows, other_countries: others } = data.gold;
  // The chart has a slice for the other countries too; the table lists the named ones.
  const slices: readonly ReportRow[] = [...rows, ...(others === null ? [] : [others])];
  const country = (row: ReportRow) => String(row.country);
  const node = chartPanel({
    title: 'Countries by plays (all days)',
    rows,
    none: 'No plays in gold.country_engagement yet.',
    chartName: 'country-shares',
    chart: () => shares(slices.map(country), numbers(slices, 'plays')),
    model: 'country_engagement',
    columns: [
      { title: 'country', column: 'country' },
      { title: 'plays', column: 'plays', format: 'count' },
      { title: 'skips', column: 'skips', format: 'count' },
      { title: 'playlist adds', column: 'playlist_adds', format: 'count' },
    ],
    keyOf: country,
  });
  if (node !== null && others !== null)
    node.append(
      element(
        'p',
        { class: 'note' },
        `${others.country}: ${formatNumber(others.plays, 'count')} plays in all.`,
      ),
    );
}

/** Retention from 0 (pale) to 1 (the accent green), as a cell's background. */
function heat(rate: ReportValue): string {
  if (typeof rate !== 'number') return 'transparent';
  return `hsla(141, 72%, 42%, ${(0.08 + 0.8 * Math.min(1, Math.max(0, rate))).toFixed(2)})`;
}

function cohorts(data: DashboardData): void {
  const rows = data.gold.cohort_retention;
  const node = panel(
    `Cohort retention (newest ${rows.length} cohorts by first day)`,
    rows,
    'No cohorts in gold.cohort_retention yet.',
    true,
  );
  if (node === null) return;
  const model = 'cohort_retention';
  const cohort = (row: ReportRow) => String(row.cohort_day);
  const rate = (row: ReportRow, days: 1 | 7) => {
    const cell = shown(
      'td',
      model,
      cohort(row),
      `day_${days}_retention_rate`,
      row[`day_${days}_retention_rate`] ?? null,
      'fraction',
    );
    cell.className = 'heat';
    cell.style.background = heat(row[`day_${days}_retention_rate`] ?? null);
    return cell;
  };
  const body = rows.map((row) =>
    element(
      'tr',
      {},
      element('td', {}, cohort(row)),
      shown('td', model, cohort(row), 'cohort_size', row.cohort_size ?? null, 'count'),
      shown('td', model, cohort(row), 'day_1_retained', row.day_1_retained ?? null, 'count'),
      rate(row, 1),
      shown('td', model, cohort(row), 'day_7_retained', row.day_7_retained ?? null, 'count'),
      rate(row, 7),
    ),
  );
  const head = element(
    'tr',
    {},
    ...['cohort (first day)', 'users', 'back day 1', 'day 1', 'back day 7', 'day 7'].map((title, index) =>
      element('th', index === 0 ? {} : { class: 'number' }, title),
    ),
  );
  node.append(
    element(
      'div',
      { class: 'table-scroll', 'data-heatmap': 'cohort-retention' },
      element('table', {}, element('thead', {}, head), element('tbody', {}, ...body)),
    ),
    element('p', { class: 'note' }, '– : the day is not complete yet (no later UTC day has events).'),
  );
}

function sessions(data: DashboardData): void {
  const rows = data.gold.listening_sessions;
  const node = panel(
    'Listening sessions (by UTC start day)',
    rows,
    'No sessions in gold.listening_sessions yet.',
  );
  if (node === null) return;
  chart(node, 'sessions', {
    type: 'line',
    data: {
      labels: rows.map(day),
      datasets: [
        line('sessions', numbers(rows, 'sessions'), 1),
        line('average minutes', numbers(rows, 'avg_session_minutes'), 2, 'minutes'),
      ],
    },
    options: {
      scales: {
        y: { beginAtZero: true, position: 'left' },
        minutes: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } },
      },
    },
  });
  node.append(
    lastWeek('listening_sessions', rows, [
      { title: 'sessions', column: 'sessions', format: 'count' },
      { title: 'events each', column: 'avg_events_per_session', format: 'decimal1' },
      { title: 'minutes', column: 'avg_session_minutes', format: 'decimal1' },
      { title: 'ending in a skip', column: 'sessions_ending_in_skip_pct', format: 'percent' },
    ]),
  );
}

function anomalies(data: DashboardData): void {
  const rows = data.gold.skip_rate_anomalies;
  const count = data.gold.skip_rate_anomaly_count;
  const node = panel(
    `Skip-rate anomalies (${count.toLocaleString('en-US')})`,
    rows,
    'None found. A song-day is scored once it has 30 plays and the song has 7 scored days among the 14 before it.',
  );
  if (node === null) return;
  node.append(
    table(
      'skip_rate_anomalies',
      rows,
      [
        { title: 'day', column: 'day' },
        { title: 'song', column: 'song_name' },
        { title: 'plays', column: 'plays', format: 'count' },
        { title: 'skip rate', column: 'skip_rate', format: 'fraction' },
        { title: 'baseline', column: 'baseline_skip_rate', format: 'fraction' },
        { title: 'score', column: 'score', format: 'decimal1' },
      ],
      (row) => `${row.day}/${row.song_id}`,
    ),
  );
  if (count > rows.length)
    node.append(
      element(
        'p',
        { class: 'note' },
        `The newest ${rows.length} of ${count}: report --model skip_rate_anomalies lists all.`,
      ),
    );
}

const MINUTE_MS = 60_000;
const REASONS_SHOWN = 10;

/** "12 min behind" / "caught up" against a reference time, both ISO strings. */
function lag(time: string | null, reference: string | null): { text: string; status: string } {
  if (time === null) return { text: 'nothing yet', status: 'status-none' };
  if (reference === null) return { text: '', status: 'status-ok' };
  const minutes = Math.round((Date.parse(reference) - Date.parse(time)) / MINUTE_MS);
  if (minutes <= 0) return { text: 'caught up', status: 'status-ok' };
  const text = minutes < 120 ? `${minutes} min behind` : `${(minutes / 60).toFixed(1)} h behind`;
  return { text, status: 'status-late' };
}

const when = (time: string | null) =>
  time === null ? '–' : time.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function health(data: DashboardData): void {
  const { warehouse, lake, rejects } = data.health;
  const node = section('Pipeline health', true);
  // Each layer is measured against the newest event upstream of it.
  const lakeNewest = lake?.newestEvent ?? null;
  const goldHourEnd =
    warehouse.gold_newest_hour === null
      ? null
      : new Date(Date.parse(warehouse.gold_newest_hour) + 3_600_000 - 1).toISOString();
  const layers: {
    layer: string;
    newest: string | null;
    shownNewest: string;
    reference: string | null;
    written: string;
    rows: number | null;
  }[] = [
    {
      layer: 'lake (S3)',
      newest: lakeNewest,
      shownNewest: lake === null ? 'not read: pass --bucket' : when(lakeNewest),
      reference: null,
      written: lake === null ? '–' : `arrived ${when(lake.lastArrival)}`,
      rows: null,
    },
    {
      layer: 'bronze',
      newest: warehouse.bronze_newest_event,
      shownNewest: when(warehouse.bronze_newest_event),
      reference: lakeNewest,
      written: `loaded ${when(warehouse.bronze_last_load)}`,
      rows: warehouse.bronze_rows,
    },
    {
      layer: 'silver',
      newest: warehouse.silver_newest_event,
      shownNewest: when(warehouse.silver_newest_event),
      reference: warehouse.bronze_newest_event,
      written: `transformed ${when(warehouse.last_transformation)}`,
      rows: warehouse.silver_rows,
    },
    {
      layer: 'gold',
      newest: goldHourEnd,
      shownNewest: warehouse.gold_newest_hour === null ? '–' : `hour of ${when(warehouse.gold_newest_hour)}`,
      reference: warehouse.silver_newest_event,
      written: `transformed ${when(warehouse.last_transformation)}`,
      rows: null,
    },
  ];
  const freshness = element(
    'table',
    { 'data-health': 'freshness' },
    element(
      'thead',
      {},
      element(
        'tr',
        {},
        ...['layer', 'newest event', 'behind the layer before', 'last written', 'rows'].map((t) =>
          element('th', {}, t),
        ),
      ),
    ),
    element(
      'tbody',
      {},
      ...layers.map((layer) => {
        const behind = layer.layer.startsWith('lake')
          ? { text: '', status: '' }
          : lag(layer.newest, layer.reference);
        return element(
          'tr',
          { 'data-layer': layer.layer.split(' ')[0]! },
          element('td', {}, layer.layer),
          element('td', {}, layer.shownNewest),
          element('td', { class: behind.status }, behind.text),
          element('td', {}, layer.written),
          element('td', { class: 'number' }, layer.rows === null ? '–' : formatNumber(layer.rows, 'count')),
        );
      }),
    ),
  );
  node.append(element('div', { class: 'table-scroll' }, freshness));

  const reasons = (
    title: string,
    kind: string,
    all: readonly { reason: string; count: number }[],
    none: string,
  ) => {
    // The most frequent reasons, and the rest summed: a long tail would bury the panel.
    const rest = all.slice(REASONS_SHOWN);
    const entries =
      rest.length === 0
        ? all
        : [
            ...all.slice(0, REASONS_SHOWN),
            {
              reason: `${rest.length} other reasons`,
              count: rest.reduce((total, entry) => total + entry.count, 0),
            },
          ];
    node.append(element('h2', {}, title));
    if (entries.length === 0) {
      empty(node, none);
      return;
    }
    node.append(
      element(
        'div',
        { class: 'table-scroll' },
        element(
          'table',
          { 'data-health': kind },
          element(
            'thead',
            {},
            element('tr', {}, element('th', {}, 'reason'), element('th', { class: 'number' }, 'records')),
          ),
          element(
            'tbody',
            {},
            ...entries.map((entry) =>
              element(
                'tr',
                {},
                element('td', {}, entry.reason),
                element('td', { class: 'number' }, formatNumber(entry.count, 'count')),
              ),
            ),
          ),
        ),
      ),
    );
  };
  if (lake === null) {
    node.append(element('h2', {}, 'Quarantined by the consumer'));
    empty(node, 'The lake was not read: run the dashboard with --bucket (and --s3-endpoint locally).');
  } else {
    const q = lake.quarantine;
    reasons(
      `Quarantined by the consumer (${formatNumber(q.records, 'count')} records${q.objectsRead < q.objects ? `, newest ${q.objectsRead} of ${q.objects} objects` : ''})`,
      'quarantine',
      q.byProblem.map((p) => ({ reason: p.problem, count: p.records })),
      'Nothing quarantined.',
    );
  }
  const { audit } = data.health;
  node.append(
    element('h2', {}, 'Audit of the warehouse layers'),
    element(
      'p',
      { 'data-health': 'audit', class: audit.unexplained === 0 ? 'status-ok' : 'status-none' },
      audit.unexplained === 0
        ? `Every record adds up from the lake files loaded (${formatNumber(audit.layers.lake_events_loaded, 'count')} lines) to gold: 0 unexplained.`
        : `${formatNumber(audit.unexplained, 'count')} records unexplained: spotify-pipeline audit lists them.`,
    ),
  );
  if (audit.findings.length > 0)
    reasons(
      'What does not add up',
      'audit-findings',
      audit.findings.map((finding) => ({
        reason: `[${finding.layer}] ${finding.problem}`,
        count: finding.records,
      })),
      '',
    );
  for (const note of audit.notes) node.append(element('p', { class: 'note' }, note));
  for (const layer of ['bronze', 'silver'] as const) {
    const entries = rejects
      .filter((r) => r.layer === layer)
      .map((r) => ({ reason: r.reason, count: r.row_count }));
    reasons(
      layer === 'bronze' ? 'Refused by the loader' : 'Refused by silver',
      `${layer}-rejects`,
      entries,
      'Nothing refused.',
    );
  }
}

function render(data: DashboardData): void {
  for (const existing of charts.values()) existing.destroy();
  charts.clear();
  const main = document.querySelector('main');
  if (main === null) return;
  main.replaceChildren();
  activeUsers(data);
  hourlyVolume(data);
  topSongs(data);
  skipRates(data);
  devices(data);
  countries(data);
  cohorts(data);
  sessions(data);
  anomalies(data);
  health(data);
  (window as DashboardWindow).spotifyDashboard = { charts, data };
  status(data, null);
}

function status(data: DashboardData, problem: string | null): void {
  const line = document.querySelector('[data-status]');
  if (line === null) return;
  const mode = data.refreshSeconds === null ? 'snapshot' : `live, asking every ${data.refreshSeconds} s`;
  line.textContent = `${data.source} · read ${when(data.generatedAt)} · ${mode}${problem === null ? '' : ` · ${problem}`}`;
}

function follow(initial: DashboardData): void {
  const seconds = initial.refreshSeconds;
  if (seconds === null) return;
  let current = initial;
  setInterval(async () => {
    try {
      const response = await fetch('data.json', { cache: 'no-store' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const next = (await response.json()) as DashboardData;
      if (next.generatedAt !== current.generatedAt) {
        current = next;
        render(next);
      }
    } catch (error) {
      status(current, `not refreshed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, seconds * 1000);
}

const embedded = document.getElementById('dashboard-data')?.textContent;
if (embedded) {
  const data = JSON.parse(embedded) as DashboardData;
  render(data);
  follow(data);
}
