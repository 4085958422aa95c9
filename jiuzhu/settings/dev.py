"""Local development and the demo: debug pages, plain HTTP on 127.0.0.1."""

from .base import *  # noqa: F403

DEBUG = True
