"""Turn UN resolution files into citable paragraphs and store them."""
