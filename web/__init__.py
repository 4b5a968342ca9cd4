"""timpora web app (``timpora serve``)."""
