"""Coded-computing protocols built from codes (DESIGN.md section 1)."""
