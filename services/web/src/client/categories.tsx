/** The catalog's categories (GET /categories), for the events list's filter and the organizer's event form. */
import { request } from "./api";
import type { Category } from "./types";
import { useResource } from "./use-resource";

export function useCategories() {
  return useResource((signal) => request<Category[]>("/categories", { signal }), []);
}

/** One `<option>` a category, its slug the value; none until they load. */
export function CategoryOptions({ categories }: { categories: Category[] | undefined }) {
  return (
    <>
      {(categories ?? []).map((category) => (
        <option key={category.id} value={category.slug}>
          {category.name}
        </option>
      ))}
    </>
  );
}
