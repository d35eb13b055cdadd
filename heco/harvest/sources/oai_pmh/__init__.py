from .kind import Kind

__all__ = ["Kind"]
