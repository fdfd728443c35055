"""Paper reproductions: top-level code behind `fastcode simulate` targets."""
