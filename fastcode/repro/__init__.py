"""Reproductions of the papers behind fastcode's schemes (above codes and fields)."""
