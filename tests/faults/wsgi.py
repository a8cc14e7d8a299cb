"""What gunicorn serves in the fault stack: the deployed WSGI app with the test-only fault point
(``tests.faults.faultpoint``)."""

from saas_platform.wsgi import application as deployed
from tests.faults.faultpoint import wrap

application = wrap(deployed)
