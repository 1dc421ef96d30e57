import { categories } from "@booking-rush/db/schema";
import { asc } from "drizzle-orm";
import type { CatalogStore } from "./store";

export async function listCategories(store: CatalogStore) {
  const rows = await store.db.select().from(categories).orderBy(asc(categories.name));
  return rows.map((category) => ({ id: category.id, name: category.name, slug: category.slug }));
}
