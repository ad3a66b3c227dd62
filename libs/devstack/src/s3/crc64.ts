// CRC-64/NVME (S3's CRC64NVME): reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all
// ones. JavaScript has no fast 64-bit integers, so the state is kept as two 32-bit halves.
const POLY_HI = 0x9a6c9329;
const POLY_LO = 0xac4bc9b5;

const [TABLE_HI, TABLE_LO] = (() => {
  const hiT = new Uint32Array(256);
  const loT = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    hiT[n] = hi;
    loT[n] = lo;
  }
  return [hiT, loT];
})();

export class Crc64Nvme {
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): void {
    let { hi, lo } = this;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ TABLE_HI[idx]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }

  /** Big-endian 8 bytes, as S3 encodes it (before base64). */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
