import sys, torch
from scaling_downstream.pretrain import PretrainConfig, pretrain
torch.set_num_threads(2)
out, density, span = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
c = PretrainConfig('en50-fr50', milestones=[1_000_000, 2_000_000, 4_000_000, 8_000_000, 16_000_000], preset='cpu', input_length=128,
                   noise_density=density, mean_span=span, batch_size=32, lr=2e-3, warmup_steps=100, max_epochs=2, tokenizer='tokenizer-2k')
pretrain(c, out, progress=False)
