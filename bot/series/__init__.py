"""Resolution series: what each resolution cites, which earlier resolution it continues, and
paragraph-by-paragraph diffs between the two."""
