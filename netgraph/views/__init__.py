"""Views: what people read — the interactive HTML graph, court charts, route maps, CSV/XLSX exports."""
