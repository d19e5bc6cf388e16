"""Building the answerer's learned model: data preparation and training (never imported at
question time; `rag train-answerer` is the entry point)."""
