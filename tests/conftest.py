import os
import sys

# Test the INSTALLED package (pip install .), never the source folder.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.join(ROOT, "python")]
