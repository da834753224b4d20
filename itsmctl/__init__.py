"""itsmctl: GitOps for IT service management."""

__version__ = "0.1.0"
API_VERSION = "itsmctl/v1"
