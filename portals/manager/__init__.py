"""Customer-company manager views (客户公司负责人): the company's orders; confirming or rejecting
completion happens on the shared order page (``portals.customer.order_views``)."""
