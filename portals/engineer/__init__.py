"""Engineer views (mobile): my jobs, one job with address, contact and a Tencent Maps route, and the
engineer's steps (start, request suspension, resume, job sheet). Served under the console
(``/console/jobs/``) so the engineer signs in once with the staff login."""
