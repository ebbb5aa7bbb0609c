using System.Buffers.Binary;

namespace Grid.Organization.Domain;

/// <summary>
/// 网格边界 A grid's boundary (Polygon or MultiPolygon) held for point lookups in memory. <see cref="Covers"/> is
/// PostGIS 3.3's <c>ST_Covers(polygon, point)</c> operation for operation (its winding-number point-in-ring
/// test in plain double arithmetic, the same zero-length-segment and on-boundary rules), so that an answer from
/// memory is the answer the database gives, on edges and vertices too, not a more "robust" one that differs.
/// </summary>
public sealed class GridShape
{
    // polygon → ring (exterior first) → x0, y0, x1, y1, ...
    private readonly double[][][] _polygons;
    private readonly bool _multi;

    private GridShape(double[][][] polygons, bool multi)
    {
        _polygons = polygons;
        _multi = multi;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        foreach (var ring in polygons.SelectMany(p => p))
        {
            for (var i = 0; i < ring.Length; i += 2)
            {
                minX = Math.Min(minX, ring[i]);
                maxX = Math.Max(maxX, ring[i]);
                minY = Math.Min(minY, ring[i + 1]);
                maxY = Math.Max(maxY, ring[i + 1]);
            }
        }

        // PostGIS keeps a geometry's box in single precision, rounded outwards.
        (MinX, MinY, MaxX, MaxY) = (FloatDown(minX), FloatDown(minY), FloatUp(maxX), FloatUp(maxY));
    }

    public double MinX { get; }

    public double MinY { get; }

    public double MaxX { get; }

    public double MaxY { get; }

    /// <summary>No point at all: PostGIS's "A.Covers(Empty) is false".</summary>
    public bool IsEmpty => MinX > MaxX;

    /// <summary>The point is inside or on the boundary (PostGIS <c>ST_Covers</c> with a point).</summary>
    public bool Covers(double x, double y)
    {
        // PostGIS first tests the point's box against the polygon's, both rounded outwards to single precision.
        if (IsEmpty || FloatDown(x) < MinX || FloatUp(x) > MaxX || FloatDown(y) < MinY || FloatUp(y) > MaxY)
        {
            return false;
        }

        return (_multi ? InMultiPolygon(x, y) : InPolygon(_polygons[0], x, y)) != -1;
    }

    /// <summary>
    /// The shape of a WKB Polygon or MultiPolygon (ISO or extended, any byte order; Z and M are ignored, as
    /// PostGIS's 2-D test ignores them), or null for any other geometry type.
    /// </summary>
    public static GridShape? FromWkb(ReadOnlySpan<byte> wkb)
    {
        var at = 0;
        var type = Header(wkb, ref at, out var little, out var dims);
        if (type == 3)
        {
            return new GridShape([Polygon(wkb, ref at, little, dims)], multi: false);
        }

        if (type != 6)
        {
            return null;
        }

        var count = (int)UInt(wkb, ref at, little);
        var polygons = new double[count][][];
        for (var p = 0; p < count; p++)
        {
            if (Header(wkb, ref at, out var pl, out var pd) != 3)
            {
                return null;
            }

            polygons[p] = Polygon(wkb, ref at, pl, pd);
        }

        return new GridShape(polygons, multi: true);
    }

    // liblwgeom's next_float_down / next_float_up.
    private static double FloatDown(double d) =>
        d > float.MaxValue ? float.MaxValue : d <= -float.MaxValue ? -float.MaxValue : (float)d <= d ? (float)d : MathF.BitDecrement((float)d);

    private static double FloatUp(double d) =>
        d >= float.MaxValue ? float.MaxValue : d < -float.MaxValue ? -float.MaxValue : (float)d >= d ? (float)d : MathF.BitIncrement((float)d);

    private static uint Header(ReadOnlySpan<byte> wkb, ref int at, out bool little, out int dims)
    {
        little = wkb[at++] == 1;
        var raw = UInt(wkb, ref at, little);
        bool z = (raw & 0x8000_0000) != 0, m = (raw & 0x4000_0000) != 0;
        if ((raw & 0x2000_0000) != 0)
        {
            at += 4; // extended WKB's SRID
        }

        var iso = raw & 0x0FFF_FFFF;
        z |= iso / 1000 is 1 or 3;
        m |= iso / 1000 is 2 or 3;
        dims = 2 + (z ? 1 : 0) + (m ? 1 : 0);
        return iso % 1000;
    }

    private static double[][] Polygon(ReadOnlySpan<byte> wkb, ref int at, bool little, int dims)
    {
        var rings = new double[UInt(wkb, ref at, little)][];
        for (var r = 0; r < rings.Length; r++)
        {
            var n = (int)UInt(wkb, ref at, little);
            var xy = new double[n * 2];
            for (var i = 0; i < n; i++)
            {
                xy[2 * i] = Double(wkb, at, little);
                xy[(2 * i) + 1] = Double(wkb, at + 8, little);
                at += 8 * dims;
            }

            rings[r] = xy;
        }

        return rings;
    }

    private static uint UInt(ReadOnlySpan<byte> wkb, ref int at, bool little)
    {
        var s = wkb.Slice(at, 4);
        at += 4;
        return little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
    }

    private static double Double(ReadOnlySpan<byte> wkb, int at, bool little) =>
        little ? BinaryPrimitives.ReadDoubleLittleEndian(wkb.Slice(at, 8)) : BinaryPrimitives.ReadDoubleBigEndian(wkb.Slice(at, 8));

    // PostGIS point_in_polygon: -1 outside, 0 on the boundary, 1 inside.
    private static int InPolygon(double[][] rings, double x, double y)
    {
        if (rings.Length == 0)
        {
            return -1;
        }

        var result = InRing(rings[0], x, y);
        if (result == -1)
        {
            return -1;
        }

        for (var i = 1; i < rings.Length; i++)
        {
            var inRing = InRing(rings[i], x, y);
            if (inRing == 1)
            {
                return -1;
            }

            if (inRing == 0)
            {
                return 0;
            }
        }

        return result;
    }

    // PostGIS point_in_multipolygon: the first part that has the point decides; on any part's boundary is 0.
    private int InMultiPolygon(double x, double y)
    {
        var result = -1;
        foreach (var rings in _polygons)
        {
            if (rings.Length == 0)
            {
                continue;
            }

            var inRing = InRing(rings[0], x, y);
            if (inRing == -1)
            {
                continue;
            }

            if (inRing == 0)
            {
                return 0;
            }

            result = inRing;
            for (var i = 1; i < rings.Length; i++)
            {
                inRing = InRing(rings[i], x, y);
                if (inRing == 1)
                {
                    result = -1;
                    break;
                }

                if (inRing == 0)
                {
                    return 0;
                }
            }

            if (result != -1)
            {
                return result;
            }
        }

        return result;
    }

    // PostGIS point_in_ring (Dan Sunday's winding number): the same expressions in the same order, so the same
    // rounding; a side of exactly 0 within the segment's box is "on the ring".
    private static int InRing(double[] ring, double x, double y)
    {
        var wn = 0;
        for (var i = 0; i + 3 < ring.Length; i += 2)
        {
            double x1 = ring[i], y1 = ring[i + 1], x2 = ring[i + 2], y2 = ring[i + 3];
            var side = ((x2 - x1) * (y - y1)) - ((x - x1) * (y2 - y1));
            if (x2 == x1 && y2 == y1)
            {
                continue;
            }

            if (side == 0.0 && Math.Max(x1, x2) >= x && Math.Min(x1, x2) <= x && Math.Max(y1, y2) >= y && Math.Min(y1, y2) <= y)
            {
                return 0;
            }

            if (y1 <= y && y < y2 && side > 0)
            {
                ++wn;
            }
            else if (y2 <= y && y < y1 && side < 0)
            {
                --wn;
            }
        }

        return wn == 0 ? -1 : 1;
    }
}
