/**
 * The figures of GET /admin/sales (and each `data:` of its stream) as the contract sends them:
 * types only and no imports, so the web client can import them (type-only, erased from its bundle)
 * without reaching the server code of live-sales.ts.
 */

export interface ZoneSales {
  zone_id: string;
  show_id: string;
  name: string;
  price: number;
  total: number;
  available: number;
  held: number;
  sold: number;
  waitlisted: number;
}

export interface MinuteSales {
  minute: string;
  tickets: number;
  revenue: number;
}

export interface LiveSales {
  event_id: string;
  as_of: string;
  currency: string;
  zones: ZoneSales[];
  tickets_sold: number;
  revenue: number;
  refunds: number;
  net: number;
  sales_per_minute: MinuteSales[];
  holds: { converted: number; expired: number; cancelled: number };
  queue: { waiting: number; active: number; paused: boolean } | null;
}
