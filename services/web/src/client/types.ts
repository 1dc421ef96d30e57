/** The shapes of the API's answers the pages read (snake_case, as the contract sends them). */

export interface User {
  id: string;
  email: string;
  name: string;
  role: "user" | "organizer" | "admin";
  tenant_id: string | null;
}

export interface Category {
  id: string;
  name: string;
  slug: string;
}

export interface EventSummary {
  id: string;
  tenant_id: string;
  title: string;
  description: string;
  category: string | null;
  venue: string;
  status: "draft" | "published" | "cancelled";
  currency: string;
  booking_opens_at: string;
  booking_closes_at: string;
  max_tickets_per_user: number;
  waitlist_limit: number;
  min_age: number | null;
  queue_enabled: boolean;
}

export interface Show {
  id: string;
  event_id: string;
  starts_at: string;
  ends_at: string;
}

export interface EventDetail extends EventSummary {
  shows: Show[];
}

export interface Zone {
  id: string;
  show_id: string;
  name: string;
  kind: "general_admission" | "assigned";
  price: number;
  total_seats: number;
  available: number;
  reserved: number;
  sold: number;
  waitlisted: number;
}

export interface Seat {
  id: string;
  zone_id: string;
  row_label: string;
  seat_number: number;
  state: "available" | "held" | "sold";
}

export interface Booking {
  booking_id: string;
  status: "reserved" | "confirmed" | "cancelled" | "expired" | "waitlisted";
  event_id: string;
  show_id: string;
  zone_id: string;
  quantity: number;
  seat_ids?: string[];
  created_at: string;
  expires_at: string;
  confirmed_at?: string;
  payment_id?: string;
  waitlist_position?: number;
  /** On a cancelled booking whose payment was refunded: what was given back. */
  refund?: { amount: number; currency: string; percent: number; reason: string; processed_at?: string };
}

export type PaymentMethod = "card" | "bank_transfer" | "e_wallet";

export interface Payment {
  payment_id: string;
  booking_id: string;
  status: "pending" | "processing" | "succeeded" | "failed" | "refunded";
  amount: number;
  currency: string;
  method: PaymentMethod;
  failure_reason?: string;
  refund?: {
    refund_id: string;
    amount: number;
    percent: number;
    reason: RefundReason;
    status: "pending" | "processing" | "succeeded" | "failed";
    processed_at?: string;
  };
}

export type RefundReason = "customer_request" | "event_cancelled" | "reservation_expired" | "compensation";

/** GET /payments/:id/refund-quote: what a refund asked now would give, by the payment service's rule. */
export interface RefundQuote {
  payment_id: string;
  percent: number;
  amount: number;
  currency: string;
  reason: RefundReason;
  refundable: boolean;
  show_starts_at: string;
}

/** A tenant's public view (GET /tenants/:id): its name and branding. */
export interface Tenant {
  id: string;
  name: string;
  slug: string;
  branding: { primary_color: string; accent_color: string; logo_url: string | null };
}
