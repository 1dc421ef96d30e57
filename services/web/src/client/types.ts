/** The shapes of the API's answers the pages read (snake_case, as the contract sends them). */

export interface User {
  id: string;
  email: string;
  name: string;
  role: "user" | "organizer" | "admin";
}

export interface Category {
  id: string;
  name: string;
  slug: string;
}

export interface EventSummary {
  id: string;
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
