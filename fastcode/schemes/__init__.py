"""Coded-computing protocols built from codes (DESIGN.md section 1): each module is one scheme."""
