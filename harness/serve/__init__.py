"""``zoo serve``: a zoo encoder, through a post-processor chain, behind an OpenAI-compatible endpoint."""
