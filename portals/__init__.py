"""TENANT SCHEMA — the screens and API of one provider: customer portal (web / WeChat H5 /
embeddable login), provider console (工作台), engineer and manager mobile views, QR codes and
printable labels, and the DRF API. Views are thin: parse, call one service or selector, render."""
