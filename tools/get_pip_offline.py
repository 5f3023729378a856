"""Stand-in for the pip bootstrap script (get-pip.py) that ansible-test downloads from ci-files.testing.ansible.com.

ansible-test creates every sanity-test virtualenv without pip and runs ``get-pip.py <pip options> pip==X``
to put pip in. Machines that reach only PyPI cannot download that script, so `make sanity` places this one in
ansible-test's cache (~/.ansible/test/cache/get_pip_<version>.py) instead: it bootstraps the pip bundled with
Python (ensurepip) and then lets that pip install the requested packages from PyPI, as get-pip.py would.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip.py's own switches; pip install does not know them.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

# ensurepip points PIP_CONFIG_FILE at /dev/null in this process; the pip that installs the packages must
# see the machine's pip configuration (index, certificate authority), so it runs with the original environment.
environment = dict(os.environ)
ensurepip.bootstrap(upgrade=False)
arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
status = subprocess.call([sys.executable, "-m", "pip", "install", *arguments], env=environment)
if status == 0 and "--no-setuptools" in sys.argv:
    # Python 3.11's ensurepip also installs setuptools, which get-pip.py would have left out.
    status = subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"], env=environment)
sys.exit(status)
