"""The surveys API (SPEC A-2): ``surveys`` holds the router, mounted by ``estatedesk.api``."""
