using DmaLib;

var window = new DmaWindow();
nint ring = window.MapCoherent(4);
window.UnmapCoherent(ring, 1);
