// Anchor translation unit for the target that owns the precompiled LibTorch header.
