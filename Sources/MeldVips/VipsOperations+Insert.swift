import CMeldVips
import CMeldVipsShims
import MeldCore

extension VipsImageRef {
    /// This image with `sub` placed over it at (`x`, `y`); `sub` is cast to this image's band
    /// count and format, parts outside are clipped. Lazy: only the covered tiles read `sub`.
    public func inserting(_ sub: VipsImageRef, x: Int, y: Int) throws(MeldError) -> VipsImageRef {
        try derive("insert", "could not insert a \(sub.width)x\(sub.height) region at \(x),\(y)") {
            cmeld_insert(pointer, sub.pointer, &$0, Int32(x), Int32(y))
        }
    }
}
