"""codestilts: intermediate-task training and zero-shot cross-programming-language transfer."""

__version__ = "0.1.0"
