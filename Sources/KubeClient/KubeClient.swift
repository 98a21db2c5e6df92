import RotorAPI
