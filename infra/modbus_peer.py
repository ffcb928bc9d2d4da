"""A Modbus TCP peer on loopback for gateledger's tests: 100 coils, discrete inputs,
holding and input registers, all zero at start. Usage: modbus_peer.py PORT"""
import asyncio
import sys

from pymodbus.datastore import (
    ModbusDeviceContext,
    ModbusSequentialDataBlock,
    ModbusServerContext,
)
from pymodbus.server import StartAsyncTcpServer


def block():
    # pymodbus 3.16 blocks are 1-based: block start 1 is protocol address 0.
    return ModbusSequentialDataBlock(1, [0] * 200)


async def main(port):
    device = ModbusDeviceContext(co=block(), di=block(), hr=block(), ir=block())
    context = ModbusServerContext(devices=device, single=True)
    await StartAsyncTcpServer(context=context, address=("127.0.0.1", port))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
