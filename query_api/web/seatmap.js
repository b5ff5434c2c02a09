// The seat map of one show on a canvas: one small square per seat, coloured by status.
//
// Canvas rather than SVG/DOM so that 20,000 seats draw in a few milliseconds.
// Seats keep their real numbers along the row, so gaps in a row stay gaps.

import { count } from "./format.js";

const CODES = { a: "available", h: "held", s: "sold" };
const MAX_HEIGHT = 900; // CSS px; a very large venue shrinks its seats rather than scroll for ever
const ZONE_HEADER = 24;
const ZONE_GAP = 10;
const STAGE = 30;
const PAD = 8;

/**
 * Normalise either seat-map format into zones of rows of [number, status]:
 * the compact one ({format: "compact", statuses, zones:[{zone_id, rows:[{row, runs}]}]})
 * or the full one ({seats: [{seat_id, zone_id, row, number, status}]}).
 */
export function normalise(body) {
  if (body.format === "compact") {
    const statuses = { ...CODES, ...(body.statuses ?? {}) };
    return body.zones.map((zone) => ({
      zone_id: zone.zone_id,
      rows: zone.rows.map((row) => {
        const seats = [];
        for (const [first, length, code] of row.runs) {
          for (let n = first; n < first + length; n += 1) seats.push([n, statuses[code]]);
        }
        return { row: row.row, seats };
      }),
    }));
  }
  const zones = new Map();
  for (const seat of body.seats) {
    if (!zones.has(seat.zone_id)) zones.set(seat.zone_id, new Map());
    const rows = zones.get(seat.zone_id);
    if (!rows.has(seat.row)) rows.set(seat.row, []);
    rows.get(seat.row).push([seat.number, seat.status]);
  }
  return [...zones].map(([zone_id, rows]) => ({
    zone_id,
    rows: [...rows].map(([row, seats]) => ({ row, seats: seats.sort((a, b) => a[0] - b[0]) })),
  }));
}

function colours() {
  const style = getComputedStyle(document.documentElement);
  return Object.fromEntries(["available", "held", "sold"].map((s) => [s, style.getPropertyValue(`--${s}`).trim()]));
}

export class SeatMap {
  constructor(canvas, tooltip) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.zones = [];
    this.zoneNames = new Map();
    this.rows = []; // laid-out rows: {zone, row, y, x0, minNumber, seats}
    this.positions = new Map(); // seat_id -> {x, y, status}
    this.cell = 0;
    canvas.addEventListener("mousemove", (event) => this.hover(event));
    canvas.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement);
  }

  /** Replace the data and redraw; `names` maps zone_id to zone name. */
  update(zones, names) {
    this.zones = zones;
    this.zoneNames = names;
    this.draw();
  }

  layout(width) {
    const widest = Math.max(1, ...this.zones.flatMap((z) => z.rows.map((r) => r.seats.at(-1)?.[0] ?? 0)));
    const rowCount = this.zones.reduce((n, z) => n + z.rows.length, 0);
    const fixed = this.zones.length * (ZONE_HEADER + ZONE_GAP) + PAD * 2 + STAGE;
    const byWidth = Math.floor((width - PAD * 2 - 30) / widest);
    const byHeight = Math.floor((MAX_HEIGHT - fixed) / Math.max(1, rowCount));
    this.cell = Math.max(2, Math.min(18, byWidth, byHeight));
    this.rows = [];
    this.stageWidth = Math.min(width * 0.5, Math.max(160, widest * this.cell));
    let y = PAD + STAGE;
    for (const zone of this.zones) {
      zone.headerY = y;
      y += ZONE_HEADER;
      for (const row of zone.rows) {
        const minNumber = row.seats[0]?.[0] ?? 1;
        const span = ((row.seats.at(-1)?.[0] ?? 0) - minNumber + 1) * this.cell;
        this.rows.push({ zone, row, y, x0: Math.round((width - span) / 2), minNumber });
        y += this.cell;
      }
      y += ZONE_GAP;
    }
    return y + PAD;
  }

  draw() {
    const canvas = this.canvas;
    const width = canvas.parentElement.clientWidth;
    if (!width) return;
    const height = this.zones.length ? this.layout(width) : 0;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const palette = colours();
    const gap = this.cell >= 6 ? 2 : this.cell >= 4 ? 1 : 0;
    const size = this.cell - gap;
    const totals = { available: 0, held: 0, sold: 0 };
    this.positions = new Map();
    // One pass per status, so the fill colour changes three times rather than per seat.
    const byStatus = { available: [], held: [], sold: [] };
    for (const laid of this.rows) {
      for (const [number, status] of laid.row.seats) {
        const x = laid.x0 + (number - laid.minNumber) * this.cell;
        byStatus[status]?.push(x, laid.y);
        totals[status] = (totals[status] ?? 0) + 1;
        this.positions.set(`${laid.zone.zone_id}-${laid.row.row}-${number}`, { x: x + size / 2, y: laid.y + size / 2, status });
      }
    }
    for (const [status, xy] of Object.entries(byStatus)) {
      ctx.fillStyle = palette[status];
      for (let i = 0; i < xy.length; i += 2) ctx.fillRect(xy[i], xy[i + 1], size, size);
    }
    if (this.zones.length) {
      // The stage, so the map reads the way the audience faces.
      ctx.fillStyle = "rgba(122, 162, 255, .18)";
      ctx.fillRect((width - this.stageWidth) / 2, PAD, this.stageWidth, STAGE - 10);
      ctx.fillStyle = "#7aa2ff";
      ctx.font = "600 11px 'DejaVu Sans', system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText("STAGE", width / 2, PAD + 14);
    }
    ctx.fillStyle = getComputedStyle(document.body).color;
    ctx.font = "600 13px 'DejaVu Sans', system-ui, sans-serif";
    ctx.textAlign = "center";
    for (const zone of this.zones) {
      const name = this.zoneNames.get(zone.zone_id) ?? zone.zone_id;
      const seats = zone.rows.reduce((n, r) => n + r.seats.length, 0);
      ctx.fillText(`${name} · ${zone.zone_id} · ${count(seats)} seats`, width / 2, zone.headerY + 16);
    }
    Object.assign(canvas.dataset, {
      seats: String(this.positions.size), available: String(totals.available),
      held: String(totals.held), sold: String(totals.sold),
    });
    return totals;
  }

  /** The seat under a point of the canvas (CSS px), or null. */
  seatAt(x, y) {
    const laid = this.rows.find((r) => y >= r.y && y < r.y + this.cell);
    if (!laid) return null;
    const number = laid.minNumber + Math.floor((x - laid.x0) / this.cell);
    const seat = laid.row.seats.find(([n]) => n === number);
    return seat ? { seat_id: `${laid.zone.zone_id}-${laid.row.row}-${number}`, status: seat[1], zone: laid.zone } : null;
  }

  hover(event) {
    const box = this.canvas.getBoundingClientRect();
    const seat = this.seatAt(event.clientX - box.left, event.clientY - box.top);
    if (!seat) { this.tooltip.hidden = true; return; }
    const zoneName = this.zoneNames.get(seat.zone.zone_id) ?? seat.zone.zone_id;
    this.tooltip.textContent = `${seat.seat_id} · ${zoneName} · ${seat.status}`;
    this.tooltip.style.left = `${event.clientX - box.left + 14}px`;
    this.tooltip.style.top = `${event.clientY - box.top + 14}px`;
    this.tooltip.hidden = false;
  }

  /** The RGBA actually painted at a seat's centre (what a person sees), or null. */
  pixel(seatId) {
    const at = this.positions.get(seatId);
    if (!at) return null;
    const ratio = window.devicePixelRatio || 1;
    const data = this.canvas.getContext("2d").getImageData(Math.floor(at.x * ratio), Math.floor(at.y * ratio), 1, 1).data;
    return [...data];
  }
}
